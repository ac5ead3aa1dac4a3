// Graph construction and mutation: values, nodes, use lists, ordering.
#include "ir/Graph.h"

#include <algorithm>
#include <cassert>
#include <set>

namespace qc::ir {

std::string Node::describe() const {
  std::string s(opName(kind_));
  if (!name_.empty())
    return s + " '" + name_ + "'";
  if (!results_.empty())
    return s + " producing '" + results_[0]->name() + "'";
  return s;
}

void Node::setOperand(size_t i, Value *v) {
  if (i >= operands_.size())
    operands_.resize(i + 1, nullptr);
  if (Value *old = operands_[i]) {
    auto &uses = old->uses_;
    uses.erase(std::find(uses.begin(), uses.end(), Use{this, unsigned(i)}));
  }
  operands_[i] = v;
  if (v)
    v->uses_.push_back(Use{this, unsigned(i)});
}

bool Node::hasAttr(AttrName n) const {
  for (auto &[name, value] : attrs_)
    if (name == n)
      return true;
  return false;
}

const AttrValue *Node::findAttr(AttrName n) const {
  for (auto &[name, value] : attrs_)
    if (name == n)
      return &value;
  const AttrSchema *schema = findAttrSchema(kind_, n);
  if (schema && schema->defaultValue)
    return &*schema->defaultValue;
  return nullptr;
}

void Node::setAttr(AttrName n, AttrValue v) {
  [[maybe_unused]] const AttrSchema *schema = findAttrSchema(kind_, n);
  assert(schema && "attribute not declared for this op in OpAttrs.def");
  assert(attrKindOf(v) == schema->kind && "attribute kind mismatch");
  for (auto &[name, value] : attrs_)
    if (name == n) {
      value = std::move(v);
      return;
    }
  auto it = std::find_if(attrs_.begin(), attrs_.end(), [&](const auto &a) {
    return attrNameString(a.first) > attrNameString(n);
  });
  attrs_.insert(it, {n, std::move(v)});
}

void Node::removeAttr(AttrName n) {
  std::erase_if(attrs_, [&](const auto &a) { return a.first == n; });
}

namespace {
template <typename T> const T *getIf(const AttrValue *v) {
  return v ? std::get_if<T>(v) : nullptr;
}
} // namespace

int64_t Node::getInt(AttrName n) const {
  const int64_t *v = getIf<int64_t>(findAttr(n));
  assert(v && "int attribute missing");
  return *v;
}
float Node::getFloat(AttrName n) const {
  const float *v = getIf<float>(findAttr(n));
  assert(v && "float attribute missing");
  return *v;
}
const std::string &Node::getString(AttrName n) const {
  const std::string *v = getIf<std::string>(findAttr(n));
  assert(v && "string attribute missing");
  return *v;
}
const std::vector<int64_t> &Node::getInts(AttrName n) const {
  const std::vector<int64_t> *v = findInts(n);
  assert(v && "ints attribute missing");
  return *v;
}
ElemType Node::getElem(AttrName n) const {
  const ElemType *v = getIf<ElemType>(findAttr(n));
  assert(v && "elem attribute missing");
  return *v;
}
std::optional<int64_t> Node::findInt(AttrName n) const {
  if (const int64_t *v = getIf<int64_t>(findAttr(n)))
    return *v;
  return std::nullopt;
}
std::optional<float> Node::findFloat(AttrName n) const {
  if (const float *v = getIf<float>(findAttr(n)))
    return *v;
  return std::nullopt;
}
const std::vector<int64_t> *Node::findInts(AttrName n) const {
  return getIf<std::vector<int64_t>>(findAttr(n));
}
const std::vector<float> *Node::findFloats(AttrName n) const {
  return getIf<std::vector<float>>(findAttr(n));
}
const Tensor *Node::findTensor(AttrName n) const {
  return getIf<Tensor>(findAttr(n));
}
std::optional<ElemType> Node::findElem(AttrName n) const {
  if (const ElemType *v = getIf<ElemType>(findAttr(n)))
    return *v;
  return std::nullopt;
}

Value *Graph::newValue(std::string name, Type type) {
  assert(!valuesByName_.count(name) && "duplicate value name");
  values_.push_back(std::unique_ptr<Value>(new Value(std::move(name), std::move(type))));
  Value *v = values_.back().get();
  valuesByName_[v->name()] = v;
  return v;
}

Value *Graph::addInput(std::string name, Type type) {
  Value *v = newValue(std::move(name), std::move(type));
  inputs_.push_back(v);
  return v;
}

Value *Graph::addConstant(std::string name, Tensor data) {
  return addConstant(std::move(name), std::make_shared<const Tensor>(std::move(data)));
}

Value *Graph::addConstant(std::string name, std::shared_ptr<const Tensor> data) {
  Value *v = newValue(std::move(name), data->type());
  v->constant_ = std::move(data);
  return v;
}

std::string Graph::uniqueName(llvm::StringRef base) const {
  if (!valuesByName_.count(base))
    return base.str();
  for (size_t i = 1;; ++i) {
    std::string candidate = (base + "." + std::to_string(i)).str();
    if (!valuesByName_.count(candidate))
      return candidate;
  }
}

void Graph::renameValue(Value *v, std::string name) {
  assert(!valuesByName_.count(name) && "renaming to a name in use");
  valuesByName_.erase(v->name_);
  v->name_ = std::move(name);
  valuesByName_[v->name_] = v;
}

Node *Graph::createNode(OpKind kind, llvm::ArrayRef<Value *> operands,
                        llvm::ArrayRef<std::pair<std::string, Type>> results,
                        Node *before) {
  auto node = std::unique_ptr<Node>(new Node(this, kind));
  Node *n = node.get();
  for (size_t i = 0; i < operands.size(); ++i)
    n->setOperand(i, operands[i]);
  for (size_t i = 0; i < results.size(); ++i) {
    Value *r = newValue(results[i].first, results[i].second);
    r->producer_ = n;
    r->resultIndex_ = unsigned(i);
    n->results_.push_back(r);
  }
  if (before) {
    auto it = std::find_if(nodes_.begin(), nodes_.end(),
                           [&](const auto &p) { return p.get() == before; });
    assert(it != nodes_.end());
    nodes_.insert(it, std::move(node));
  } else {
    nodes_.push_back(std::move(node));
  }
  return n;
}

void Graph::eraseNode(Node *n) {
  for (Value *r : n->results_) {
    assert(r->uses_.empty() && "erasing a node whose results are used");
    assert(std::find(outputs_.begin(), outputs_.end(), r) == outputs_.end());
    valuesByName_.erase(r->name());
  }
  for (size_t i = 0; i < n->operands_.size(); ++i)
    n->setOperand(i, nullptr);
  std::set<Value *> dead(n->results_.begin(), n->results_.end());
  std::erase_if(values_, [&](const auto &v) { return dead.count(v.get()) != 0; });
  auto it = std::find_if(nodes_.begin(), nodes_.end(),
                         [&](const auto &p) { return p.get() == n; });
  assert(it != nodes_.end() && "erasing a node twice");
  n->erased_ = true;
  n->results_.clear();
  erasedNodes_.push_back(std::move(*it));
  nodes_.erase(it);
}

void Graph::replaceAllUsesWith(Value *from, Value *to) {
  assert(from != to);
  std::vector<Use> uses = from->uses_;
  for (const Use &u : uses)
    u.user->setOperand(u.operandIndex, to);
  for (Value *&out : outputs_)
    if (out == from)
      out = to;
}

void Graph::removeDeadCode() {
  std::set<Value *> outputs(outputs_.begin(), outputs_.end());
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t i = nodes_.size(); i-- > 0;) {
      Node *n = nodes_[i].get();
      bool live = false;
      for (Value *r : n->results_)
        live |= !r->uses_.empty() || outputs.count(r);
      if (!live) {
        eraseNode(n);
        changed = true;
      }
    }
  }
  std::set<Value *> dead;
  for (auto &v : values_)
    if (v->isConstant() && v->uses_.empty() && !outputs.count(v.get()))
      dead.insert(v.get());
  for (Value *v : dead)
    valuesByName_.erase(v->name());
  std::erase_if(values_, [&](const auto &v) { return dead.count(v.get()) != 0; });
}

llvm::Error Graph::sortTopologically() {
  std::set<const Value *> available;
  for (auto &v : values_)
    if (!v->producer_)
      available.insert(v.get());
  std::vector<std::unique_ptr<Node>> pending = std::move(nodes_);
  nodes_.clear();
  while (!pending.empty()) {
    bool progress = false;
    for (auto it = pending.begin(); it != pending.end();) {
      bool ready = std::all_of((*it)->operands_.begin(), (*it)->operands_.end(),
                               [&](Value *v) { return !v || available.count(v); });
      if (!ready) {
        ++it;
        continue;
      }
      for (Value *r : (*it)->results_)
        available.insert(r);
      nodes_.push_back(std::move(*it));
      it = pending.erase(it);
      progress = true;
    }
    if (!progress) {
      std::string who = pending.front()->describe();
      for (auto &p : pending)
        nodes_.push_back(std::move(p));
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "graph has a cycle or an undefined operand at node %s",
                                     who.c_str());
    }
  }
  return llvm::Error::success();
}

std::vector<Node *> Graph::nodes() const {
  std::vector<Node *> out;
  out.reserve(nodes_.size());
  for (auto &n : nodes_)
    out.push_back(n.get());
  return out;
}

std::vector<Value *> Graph::constants() const {
  std::vector<Value *> out;
  for (auto &v : values_)
    if (v->isConstant())
      out.push_back(v.get());
  return out;
}

Value *Graph::findValue(llvm::StringRef name) const {
  auto it = valuesByName_.find(name);
  return it == valuesByName_.end() ? nullptr : it->second;
}

std::unique_ptr<Graph> Graph::clone() const {
  auto g = std::make_unique<Graph>();
  g->name_ = name_;
  g->opsets_ = opsets_;
  std::map<const Value *, Value *> map;
  for (auto &v : values_) {
    if (v->producer_)
      continue;
    Value *nv = g->newValue(v->name_, v->type_);
    nv->constant_ = v->constant_;
    map[v.get()] = nv;
  }
  for (Value *in : inputs_)
    g->inputs_.push_back(map.at(in));
  for (auto &n : nodes_) {
    std::vector<Value *> ops;
    for (Value *o : n->operands_)
      ops.push_back(o ? map.at(o) : nullptr);
    std::vector<std::pair<std::string, Type>> results;
    for (Value *r : n->results_)
      results.emplace_back(r->name_, r->type_);
    Node *nn = g->createNode(n->kind_, ops, results);
    nn->name_ = n->name_;
    nn->attrs_ = n->attrs_;
    nn->remark_ = n->remark_;
    for (size_t i = 0; i < n->results_.size(); ++i)
      map[n->results_[i]] = nn->results_[i];
  }
  for (Value *out : outputs_)
    g->outputs_.push_back(map.at(out));
  return g;
}

} // namespace qc::ir
