// Shared command-line tool helpers.
#include "tools/ToolSupport.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

namespace qc::tools {

llvm::Expected<std::map<std::string, ir::Shape>>
parseInputShapes(const std::vector<std::string> &specs) {
  std::map<std::string, ir::Shape> shapes;
  for (const std::string &spec : specs) {
    auto [name, dimsText] = llvm::StringRef(spec).split('=');
    if (name.empty() || dimsText.empty())
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "--input-shape '%s': expected name=DxDx...", spec.c_str());
    std::vector<ir::Dim> dims;
    llvm::SmallVector<llvm::StringRef> parts;
    dimsText.split(parts, 'x');
    for (llvm::StringRef p : parts) {
      int64_t v;
      if (!p.getAsInteger(10, v) && v >= 0)
        dims.emplace_back(v);
      else if (!p.empty() && (std::isalpha(uint8_t(p[0])) || p[0] == '_'))
        dims.push_back(ir::Dim::symbol(p.str()));
      else
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       "--input-shape '%s': bad dimension '%s'", spec.c_str(),
                                       p.str().c_str());
    }
    shapes[name.str()] = ir::Shape(std::move(dims));
  }
  return shapes;
}

llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents) {
  std::string tmp = (path + ".tmp").str();
  std::error_code ec;
  {
    llvm::raw_fd_ostream os(tmp, ec);
    if (ec)
      return llvm::createStringError(ec, "cannot write '%s': %s", tmp.c_str(),
                                     ec.message().c_str());
    os << contents;
    os.close();
    if (os.has_error()) {
      llvm::sys::fs::remove(tmp);
      return llvm::createStringError(llvm::inconvertibleErrorCode(), "writing '%s' failed",
                                     tmp.c_str());
    }
  }
  if ((ec = llvm::sys::fs::rename(tmp, path))) {
    llvm::sys::fs::remove(tmp);
    return llvm::createStringError(ec, "cannot write '%s': %s", path.str().c_str(),
                                   ec.message().c_str());
  }
  return llvm::Error::success();
}

int reportError(llvm::StringRef tool, llvm::Error error) {
  llvm::handleAllErrors(std::move(error), [&](const llvm::ErrorInfoBase &e) {
    llvm::WithColor::error(llvm::errs(), tool) << e.message() << '\n';
  });
  return 1;
}

} // namespace qc::tools
