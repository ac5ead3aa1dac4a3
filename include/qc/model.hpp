// Header-only C++17 wrapper over a compiled model library (qc/model.h):
// qc::Model::load dlopens the .so, checks its ABI version and reads its
// metadata; qc::Session runs it. No exceptions: failures are qc::Status.
//
//   auto model = qc::Model::load("model.so");
//   if (!model) { puts(model.status().message.c_str()); return 1; }
//   auto session = model->createSession(/*threads=*/0);
//   std::vector<qc::Tensor> outputs;
//   qc::Status st = session->run({qc::Tensor::zeros(QC_ELEM_F32, {1, 3, 224, 224})}, outputs);
#ifndef QC_MODEL_HPP
#define QC_MODEL_HPP

#include <dlfcn.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "qc/model.h"

namespace qc {

/// A qc_status code and the library's text for it ("" when ok).
struct Status {
  qc_status code = QC_OK;
  std::string message;

  bool ok() const { return code == QC_OK; }
  explicit operator bool() const { return ok(); }
};

/// A value or the Status saying why there is none.
template <typename T> class Result {
public:
  Result(T value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {
    if (status_.ok())
      status_ = {QC_ERROR_INTERNAL, "qc::Result made from an ok status without a value"};
  }
  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status &status() const { return status_; }
  /// Precondition: ok().
  T &value() & { return *value_; }
  const T &value() const & { return *value_; }
  T &&value() && { return std::move(*value_); }
  T *operator->() { return &*value_; }
  const T *operator->() const { return &*value_; }
  T &operator*() & { return *value_; }
  const T &operator*() const & { return *value_; }

private:
  Status status_;
  std::optional<T> value_;
};

/// Bytes of one element of `type` (0 for an unknown type).
inline size_t elemSize(int32_t type) {
  switch (type) {
  case QC_ELEM_U8:
  case QC_ELEM_I8:
  case QC_ELEM_BOOL:
    return 1;
  case QC_ELEM_U16:
  case QC_ELEM_I16:
  case QC_ELEM_F16:
  case QC_ELEM_BF16:
    return 2;
  case QC_ELEM_F32:
  case QC_ELEM_I32:
    return 4;
  case QC_ELEM_I64:
  case QC_ELEM_F64:
    return 8;
  default:
    return 0;
  }
}

inline const char *elemTypeName(int32_t type) {
  static const char *const kNames[] = {"?",   "f32", "u8",  "i8",  "i32", "i64",
                                       "f64", "u16", "i16", "bool", "f16", "bf16"};
  return type >= 1 && type <= 11 ? kNames[type] : "?";
}

/// An input or output of the model as the library declares it.
struct TensorInfo {
  std::string name;
  qc_elem_type elemType = QC_ELEM_F32;
  std::vector<int64_t> dims;          ///< -1: the symbolic (batch) dimension
  std::vector<std::string> dimNames;  ///< "" for static dimensions
};

/// A dense row-major tensor that owns its bytes.
struct Tensor {
  qc_elem_type elemType = QC_ELEM_F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  static Tensor zeros(qc_elem_type type, std::vector<int64_t> shape) {
    Tensor t;
    t.elemType = type;
    t.shape = std::move(shape);
    t.bytes.assign(static_cast<size_t>(t.numElements()) * elemSize(type), 0);
    return t;
  }
  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
  template <typename T> T *data() { return reinterpret_cast<T *>(bytes.data()); }
  template <typename T> const T *data() const { return reinterpret_cast<const T *>(bytes.data()); }
};

/// Caller-owned input memory, passed to the library as is.
struct InputView {
  const void *data = nullptr;
  const int64_t *shape = nullptr;
  int32_t rank = 0;
  size_t sizeBytes = 0; ///< 0: not checked; else must cover the shape
};

/// Caller-owned output memory: `shape` (rank entries) receives the shape.
struct OutputView {
  void *data = nullptr;
  size_t sizeBytes = 0;
  int64_t *shape = nullptr;
  int32_t rank = 0;
};

namespace detail {
/// The entry points of one loaded library and its metadata; shared by the
/// Model and its Sessions, so the library stays loaded while any is alive.
struct Library {
  void *handle = nullptr;
  std::string name, targetCpu;
  std::vector<TensorInfo> inputs, outputs;
  qc_status (*sessionCreate)(int32_t, qc_session **) = nullptr;
  qc_status (*sessionReserve)(qc_session *, int64_t) = nullptr;
  qc_status (*run)(qc_session *, const qc_tensor *, int32_t, qc_tensor *, int32_t) = nullptr;
  void (*sessionDestroy)(qc_session *) = nullptr;
  const char *(*lastError)(void) = nullptr;

  Library() = default;
  Library(const Library &) = delete;
  Library &operator=(const Library &) = delete;
  ~Library() {
    if (handle)
      dlclose(handle);
  }
  Status fail(qc_status code) const {
    const char *text = lastError ? lastError() : nullptr;
    return {code, text && *text ? text : "qc model call failed without a message"};
  }
};

template <typename F> bool resolve(void *handle, const char *symbol, F &fn) {
  fn = reinterpret_cast<F>(dlsym(handle, symbol));
  return fn != nullptr;
}

inline std::vector<TensorInfo> readInfos(void *handle, bool inputs, std::string &missing) {
  int32_t (*count)(void) = nullptr;
  const char *(*name)(int32_t) = nullptr;
  int32_t (*elemType)(int32_t) = nullptr, (*rank)(int32_t) = nullptr;
  int64_t (*dim)(int32_t, int32_t) = nullptr;
  const char *(*dimName)(int32_t, int32_t) = nullptr;
  const char *kind = inputs ? "input" : "output";
  std::string prefix = std::string("qc_") + kind;
  if (!resolve(handle, inputs ? "qc_num_inputs" : "qc_num_outputs", count) ||
      !resolve(handle, (prefix + "_name").c_str(), name) ||
      !resolve(handle, (prefix + "_elem_type").c_str(), elemType) ||
      !resolve(handle, (prefix + "_rank").c_str(), rank) ||
      !resolve(handle, (prefix + "_dim").c_str(), dim) ||
      !resolve(handle, (prefix + "_dim_name").c_str(), dimName)) {
    missing = prefix + " metadata entries";
    return {};
  }
  std::vector<TensorInfo> infos(static_cast<size_t>(count() > 0 ? count() : 0));
  for (int32_t i = 0; i < static_cast<int32_t>(infos.size()); ++i) {
    TensorInfo &info = infos[i];
    const char *n = name(i);
    info.name = n ? n : "";
    info.elemType = static_cast<qc_elem_type>(elemType(i));
    for (int32_t a = 0; a < rank(i); ++a) {
      info.dims.push_back(dim(i, a));
      const char *dn = dimName(i, a);
      info.dimNames.push_back(dn ? dn : "");
    }
  }
  return infos;
}
} // namespace detail

class Session {
public:
  Session(Session &&other) noexcept
      : lib_(std::move(other.lib_)), session_(std::exchange(other.session_, nullptr)) {}
  Session &operator=(Session &&other) noexcept {
    if (this != &other) {
      reset();
      lib_ = std::move(other.lib_);
      session_ = std::exchange(other.session_, nullptr);
    }
    return *this;
  }
  Session(const Session &) = delete;
  Session &operator=(const Session &) = delete;
  ~Session() { reset(); }

  /// Sizes working memory for batches up to maxBatch (optional).
  Status reserve(int64_t maxBatch) {
    qc_status st = lib_->sessionReserve(session_, maxBatch);
    return st == QC_OK ? Status{} : lib_->fail(st);
  }

  /// Runs on caller-owned buffers; allocates nothing for up to 16 inputs
  /// and outputs.
  Status run(const InputView *inputs, size_t numInputs, OutputView *outputs,
             size_t numOutputs) {
    constexpr size_t kInline = 16;
    qc_tensor inlineTensors[2 * kInline];
    std::vector<qc_tensor> heap;
    qc_tensor *in = inlineTensors, *out = inlineTensors + kInline;
    if (numInputs > kInline || numOutputs > kInline) {
      heap.resize(numInputs + numOutputs);
      in = heap.data();
      out = heap.data() + numInputs;
    }
    for (size_t i = 0; inputs && i < numInputs; ++i)
      in[i] = {const_cast<void *>(inputs[i].data), const_cast<int64_t *>(inputs[i].shape),
               inputs[i].rank, 0, inputs[i].sizeBytes};
    for (size_t i = 0; outputs && i < numOutputs; ++i)
      out[i] = {outputs[i].data, outputs[i].shape, outputs[i].rank, 0, outputs[i].sizeBytes};
    // Null arrays go through as null: the library reports them.
    qc_status st = lib_->run(session_, inputs && numInputs ? in : nullptr,
                             static_cast<int32_t>(numInputs),
                             outputs && numOutputs ? out : nullptr,
                             static_cast<int32_t>(numOutputs));
    return st == QC_OK ? Status{} : lib_->fail(st);
  }

  /// Runs on owning tensors; `outputs` is resized to the model's outputs
  /// (buffers are reused when they already have the right size).
  Status run(const std::vector<Tensor> &inputs, std::vector<Tensor> &outputs) {
    int64_t batch = 1;
    for (size_t i = 0; i < inputs.size() && i < lib_->inputs.size(); ++i)
      for (size_t a = 0; a < lib_->inputs[i].dims.size() && a < inputs[i].shape.size(); ++a)
        if (lib_->inputs[i].dims[a] < 0)
          batch = inputs[i].shape[a];
    outputs.resize(lib_->outputs.size());
    std::vector<InputView> in(inputs.size());
    std::vector<OutputView> out(outputs.size());
    for (size_t i = 0; i < inputs.size(); ++i)
      in[i] = {inputs[i].bytes.data(), inputs[i].shape.data(),
               static_cast<int32_t>(inputs[i].shape.size()), inputs[i].bytes.size()};
    for (size_t i = 0; i < outputs.size(); ++i) {
      const TensorInfo &info = lib_->outputs[i];
      Tensor &t = outputs[i];
      t.elemType = info.elemType;
      t.shape = info.dims;
      for (int64_t &d : t.shape)
        d = d < 0 ? batch : d;
      if (batch > 0)
        t.bytes.resize(static_cast<size_t>(t.numElements()) * elemSize(t.elemType));
      out[i] = {t.bytes.data(), t.bytes.size(), t.shape.data(),
                static_cast<int32_t>(t.shape.size())};
    }
    return run(in.data(), in.size(), out.data(), out.size());
  }

  qc_session *handle() const { return session_; }

private:
  friend class Model;
  Session(std::shared_ptr<const detail::Library> lib, qc_session *session)
      : lib_(std::move(lib)), session_(session) {}
  void reset() {
    if (session_)
      lib_->sessionDestroy(session_);
    session_ = nullptr;
  }

  std::shared_ptr<const detail::Library> lib_;
  qc_session *session_ = nullptr;
};

class Model {
public:
  /// dlopens `path` (RTLD_NOW | RTLD_LOCAL; as with dlopen, a name without
  /// a '/' is looked up in the library path), checks qc_abi_version() ==
  /// QC_ABI_VERSION, resolves the qc_* entries and reads the metadata.
  static Result<Model> load(const std::string &path) {
    auto lib = std::make_shared<detail::Library>();
    lib->handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib->handle) {
      const char *why = dlerror();
      return Status{QC_ERROR_INVALID_ARGUMENT,
                    "cannot load '" + path + "': " + (why ? why : "dlopen failed")};
    }
    uint32_t (*abiVersion)(void) = nullptr;
    if (!detail::resolve(lib->handle, "qc_abi_version", abiVersion))
      return Status{QC_ERROR_INVALID_ARGUMENT,
                    "'" + path + "' is not a qc model library (it has no qc_abi_version)"};
    if (uint32_t v = abiVersion(); v != QC_ABI_VERSION)
      return Status{QC_ERROR_ABI_MISMATCH, "'" + path + "' was built for qc ABI version " +
                                               std::to_string(v) + ", this program for " +
                                               std::to_string(QC_ABI_VERSION)};
    const char *(*modelName)(void) = nullptr, *(*targetCpu)(void) = nullptr;
    std::string missing;
    if (!detail::resolve(lib->handle, "qc_model_name", modelName) ||
        !detail::resolve(lib->handle, "qc_target_cpu", targetCpu))
      missing = "qc_model_name/qc_target_cpu";
    else if (!detail::resolve(lib->handle, "qc_session_create", lib->sessionCreate) ||
             !detail::resolve(lib->handle, "qc_session_reserve", lib->sessionReserve) ||
             !detail::resolve(lib->handle, "qc_run", lib->run) ||
             !detail::resolve(lib->handle, "qc_session_destroy", lib->sessionDestroy) ||
             !detail::resolve(lib->handle, "qc_last_error", lib->lastError))
      missing = "session entries";
    if (missing.empty())
      lib->inputs = detail::readInfos(lib->handle, true, missing);
    if (missing.empty())
      lib->outputs = detail::readInfos(lib->handle, false, missing);
    if (!missing.empty())
      return Status{QC_ERROR_ABI_MISMATCH,
                    "'" + path + "' lacks qc ABI symbols (" + missing + ")"};
    const char *n = modelName(), *cpu = targetCpu();
    lib->name = n ? n : "";
    lib->targetCpu = cpu ? cpu : "";
    return Model(std::move(lib));
  }

  const std::string &name() const { return lib_->name; }
  const std::string &targetCpu() const { return lib_->targetCpu; }
  const std::vector<TensorInfo> &inputs() const { return lib_->inputs; }
  const std::vector<TensorInfo> &outputs() const { return lib_->outputs; }

  /// A session running with `threads` threads (0: one per core). Fails
  /// with QC_ERROR_UNSUPPORTED_CPU when this CPU cannot run the model.
  Result<Session> createSession(int32_t threads = 0) const {
    qc_session *session = nullptr;
    qc_status st = lib_->sessionCreate(threads, &session);
    if (st != QC_OK)
      return lib_->fail(st);
    return Session(lib_, session);
  }

private:
  explicit Model(std::shared_ptr<const detail::Library> lib) : lib_(std::move(lib)) {}
  std::shared_ptr<const detail::Library> lib_;
};

} // namespace qc

#endif // QC_MODEL_HPP
