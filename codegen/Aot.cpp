// compileToFile: the model module written as LLVM IR text, assembly, an
// object file, or a self-contained shared library (object + the runtime
// archive linked with lld), always atomically.
#include <chrono>
#include <thread>

#include "codegen/Codegen.h"
#include "codegen/ModuleBuilder.h"
#include "codegen/Target.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/SplitModule.h"

#ifndef QC_RUNTIME_ARCHIVE
#define QC_RUNTIME_ARCHIVE ""
#endif

namespace qc::codegen {

namespace {

double secondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A file in a fresh temporary directory, removed with it.
class TempDir {
public:
  static llvm::Expected<TempDir> create() {
    llvm::SmallString<128> path;
    if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("qcompile", path))
      return llvm::createStringError(ec, "cannot create a temporary directory: " + ec.message());
    return TempDir(path.str().str());
  }
  TempDir(TempDir &&o) : path_(std::move(o.path_)) { o.path_.clear(); }
  ~TempDir() {
    if (!path_.empty())
      llvm::sys::fs::remove_directories(path_);
  }
  std::string file(llvm::StringRef name) const { return path_ + "/" + name.str(); }

private:
  explicit TempDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                            llvm::CodeGenFileType type, llvm::raw_pwrite_stream &os) {
  llvm::legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, type))
    return llvm::createStringError("the target cannot emit this file type");
  pm.run(module);
  return llvm::Error::success();
}

llvm::Error writeAtomically(llvm::StringRef path,
                            llvm::function_ref<llvm::Error(llvm::raw_pwrite_stream &)> write) {
  llvm::SmallString<256> temp;
  int fd;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%", fd, temp))
    return llvm::createStringError(ec, "cannot write '" + path.str() + "': " + ec.message());
  llvm::Error result = llvm::Error::success();
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    result = write(os);
    os.close();
    if (!result && os.has_error()) {
      result = llvm::createStringError(os.error(), "cannot write '" + path.str() +
                                                       "': " + os.error().message());
      os.clear_error();
    }
  }
  if (!result)
    if (std::error_code ec = llvm::sys::fs::rename(temp, path))
      result = llvm::createStringError(ec, "cannot write '" + path.str() + "': " + ec.message());
  if (result)
    llvm::sys::fs::remove(temp);
  return result;
}

// ld.lld-19 from LLVM's bin directory, or on PATH.
llvm::Expected<std::string> findLinker() {
  for (const char *name : {"ld.lld-19", "ld.lld"}) {
    if (auto p = llvm::sys::findProgramByName(name, {"/usr/lib/llvm-19/bin"}))
      return *p;
    if (auto p = llvm::sys::findProgramByName(name))
      return *p;
  }
  return llvm::createStringError("cannot find ld.lld (install lld-19) to link the shared library");
}

// Static helpers the runtime or compiler-generated code may call (e.g.
// __cpu_model); libgcc.a, never libgcc_s.
std::optional<std::string> findLibgcc() {
  for (llvm::StringRef dir : {"/usr/lib/gcc/x86_64-linux-gnu/12", "/usr/lib/gcc/x86_64-linux-gnu/13",
                              "/usr/lib/gcc/x86_64-linux-gnu/14"}) {
    std::string p = (dir + "/libgcc.a").str();
    if (llvm::sys::fs::exists(p))
      return p;
  }
  return std::nullopt;
}

// Object files of the optimized module in `dir`: one, or one per partition
// (SplitModule externalizes what partitions share, as hidden symbols that
// the version script keeps out of the library's exports), each generated
// in its own thread and LLVMContext from a bitcode copy.
llvm::Expected<std::vector<std::string>> emitObjects(llvm::Module &module, llvm::TargetMachine &tm,
                                                     const TargetInfo &target, unsigned optLevel,
                                                     unsigned partitions, const TempDir &dir) {
  auto openObject = [&](size_t i, std::unique_ptr<llvm::raw_fd_ostream> &os) -> llvm::Error {
    std::string path = dir.file(llvm::formatv("model{0}.o", i).str());
    std::error_code ec;
    os = std::make_unique<llvm::raw_fd_ostream>(path, ec);
    if (ec)
      return llvm::createStringError(ec, "cannot write '" + path + "': " + ec.message());
    return llvm::Error::success();
  };
  if (partitions <= 1) {
    std::unique_ptr<llvm::raw_fd_ostream> os;
    if (llvm::Error e = openObject(0, os))
      return e;
    if (llvm::Error e = emitMachineCode(module, tm, llvm::CodeGenFileType::ObjectFile, *os))
      return e;
    return std::vector<std::string>{dir.file("model0.o")};
  }
  // Locals shared across partitions become hidden globals: a prefix no C
  // identifier has keeps them apart from the runtime's symbols (the module
  // has a private "qc_target_cpu" string, the runtime a qc_target_cpu()).
  for (llvm::GlobalValue &g : module.global_values())
    if (g.hasLocalLinkage() && g.hasName())
      g.setName("qc.model." + g.getName());
  std::vector<llvm::SmallString<0>> parts;
  llvm::SplitModule(module, partitions, [&](std::unique_ptr<llvm::Module> part) {
    llvm::SmallString<0> bitcode;
    llvm::raw_svector_ostream os(bitcode);
    llvm::WriteBitcodeToFile(*part, os);
    parts.push_back(std::move(bitcode));
  });
  std::vector<std::string> objects, errors(parts.size());
  std::vector<std::unique_ptr<llvm::raw_fd_ostream>> streams(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (llvm::Error e = openObject(i, streams[i]))
      return e;
    objects.push_back(dir.file(llvm::formatv("model{0}.o", i).str()));
  }
  std::vector<std::thread> threads;
  for (size_t i = 0; i < parts.size(); ++i)
    threads.emplace_back([&, i] {
      llvm::LLVMContext ctx;
      llvm::Expected<std::unique_ptr<llvm::Module>> part = llvm::parseBitcodeFile(
          llvm::MemoryBufferRef(llvm::StringRef(parts[i].data(), parts[i].size()), "part"), ctx);
      llvm::Expected<std::unique_ptr<llvm::TargetMachine>> partTm =
          part ? createTargetMachine(target, optLevel)
               : llvm::Expected<std::unique_ptr<llvm::TargetMachine>>(part.takeError());
      llvm::Error e = partTm ? emitMachineCode(**part, **partTm,
                                               llvm::CodeGenFileType::ObjectFile, *streams[i])
                             : partTm.takeError();
      if (e)
        errors[i] = llvm::toString(std::move(e));
      streams[i]->close();
    });
  for (std::thread &t : threads)
    t.join();
  for (const std::string &e : errors)
    if (!e.empty())
      return llvm::createStringError("generating machine code: " + e);
  return objects;
}

llvm::Error linkSharedLibrary(const std::vector<std::string> &objects, const TempDir &dir,
                              llvm::StringRef output) {
  llvm::Expected<std::string> lld = findLinker();
  if (!lld)
    return lld.takeError();
  llvm::StringRef runtime = QC_RUNTIME_ARCHIVE;
  if (runtime.empty() || !llvm::sys::fs::exists(runtime))
    return llvm::createStringError("the qc runtime archive '" + runtime.str() +
                                   "' is missing (build the qc_runtime_pic target)");
  std::string script = dir.file("exports.map");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(script, ec);
    if (ec)
      return llvm::createStringError(ec, "cannot write the linker version script");
    os << "{ global: qc_*; local: *; };\n";
  }
  std::string log = dir.file("link.log");
  std::vector<std::string> args = {*lld,
                                   "-shared",
                                   "-o",
                                   output.str(),
                                   "--version-script=" + script,
                                   "-z",
                                   "noexecstack",
                                   "-z",
                                   "relro",
                                   "-z",
                                   "now",
                                   "--hash-style=gnu",
                                   "--build-id",
                                   "--gc-sections",
                                   "-L/usr/lib/x86_64-linux-gnu",
                                   "-L/lib/x86_64-linux-gnu"};
  args.insert(args.end(), objects.begin(), objects.end());
  args.push_back("--whole-archive");
  args.push_back(runtime.str());
  args.push_back("--no-whole-archive");
  if (std::optional<std::string> gcc = findLibgcc())
    args.push_back(*gcc);
  for (const char *lib : {"--as-needed", "-lm", "-lpthread", "-lc"})
    args.push_back(lib);
  std::vector<llvm::StringRef> argRefs(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log),
                                                llvm::StringRef(log)};
  std::string errMsg;
  int rc = llvm::sys::ExecuteAndWait(*lld, argRefs, std::nullopt, redirects, 0, 0, &errMsg);
  if (rc != 0) {
    std::string text;
    if (auto buf = llvm::MemoryBuffer::getFile(log))
      text = (*buf)->getBuffer().trim().str();
    return llvm::createStringError(
        llvm::formatv("linking the shared library failed ({0}): {1}", rc,
                      text.empty() ? errMsg : text)
            .str());
  }
  return llvm::Error::success();
}

} // namespace

llvm::Error compileToFile(const ir::Graph &graph, const CodegenOptions &opts, EmitKind kind,
                          llvm::StringRef path) {
  return compileToFile(graph, opts, kind, path, nullptr);
}

llvm::Error compileToFile(const ir::Graph &graph, const CodegenOptions &opts, EmitKind kind,
                          llvm::StringRef path, CompileTimes *times) {
  llvm::Expected<TargetInfo> target = resolveTarget(opts);
  if (!target)
    return target.takeError();
  auto tm = createTargetMachine(*target, opts.optLevel);
  if (!tm)
    return tm.takeError();
  llvm::LLVMContext ctx;
  auto module = compileGraphToModule(graph, opts, *target, **tm, ctx, times);
  if (!module)
    return module.takeError();

  auto start = std::chrono::steady_clock::now();
  llvm::Error result = llvm::Error::success();
  switch (kind) {
  case EmitKind::LLVM:
    result = writeAtomically(path, [&](llvm::raw_pwrite_stream &os) {
      (*module)->print(os, nullptr);
      return llvm::Error::success();
    });
    break;
  case EmitKind::Asm:
  case EmitKind::Obj:
    result = writeAtomically(path, [&](llvm::raw_pwrite_stream &os) {
      return emitMachineCode(**module, **tm,
                             kind == EmitKind::Asm ? llvm::CodeGenFileType::AssemblyFile
                                                   : llvm::CodeGenFileType::ObjectFile,
                             os);
    });
    break;
  case EmitKind::So: {
    llvm::Expected<TempDir> dir = TempDir::create();
    if (!dir)
      return dir.takeError();
    llvm::Expected<std::vector<std::string>> objects =
        emitObjects(**module, **tm, *target, opts.optLevel, opts.codegenPartitions, *dir);
    if (!objects)
      return objects.takeError();
    if (times) {
      times->codegen = secondsSince(start);
      start = std::chrono::steady_clock::now();
    }
    std::string linked = dir->file("model.so");
    if (llvm::Error e = linkSharedLibrary(*objects, *dir, linked))
      return e;
    if (std::error_code ec = llvm::sys::fs::rename(linked, path)) {
      // Another file system: copy, then rename within the destination's.
      std::string temp = (path + ".tmp").str();
      if (std::error_code ec2 = llvm::sys::fs::copy_file(linked, temp))
        return llvm::createStringError(ec2, "cannot write '" + path.str() + "': " +
                                                ec2.message());
      if (std::error_code ec3 = llvm::sys::fs::rename(temp, path)) {
        llvm::sys::fs::remove(temp);
        return llvm::createStringError(ec3, "cannot write '" + path.str() + "': " +
                                                ec3.message());
      }
      (void)ec;
    }
    llvm::sys::fs::setPermissions(path, llvm::sys::fs::perms(0755));
    if (times)
      times->link = secondsSince(start);
    return llvm::Error::success();
  }
  }
  if (times)
    times->codegen = secondsSince(start);
  return result;
}

} // namespace qc::codegen
