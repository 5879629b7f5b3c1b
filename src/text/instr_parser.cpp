// Instructions of the text format (spec 6.5), plain and folded, encoded straight to binary.
// Nesting is kept in explicit stacks (frames for folded forms, labels for blocks), never in
// native recursion, so hostile nesting ends in an error instead of a stack overflow.
#include "text/literals.hpp"
#include "text/module_parser.hpp"

namespace lunatic::text {

namespace {

// A folded form or block in progress.
struct Frame {
  enum class Kind : uint8_t { Folded, Block, IfCond, IfThen, IfAfterThen, IfElse, IfAfterElse };
  Kind kind;
  std::vector<uint8_t> pending;  ///< Folded: the instruction; IfCond: `if` and its block type
  size_t label_base;             ///< labels_.size() once the frame's own label is pushed
  std::string_view label;        ///< IfCond: the label to push at `(then`
};

// Keywords of the module structure: out of place among instructions they are unexpected
// tokens rather than unknown operators (as in the spec interpreter).
bool is_structure_keyword(std::string_view kw) {
  for (const char* s :
       {"param", "result", "type", "local", "then", "else", "item", "offset", "export", "import",
        "mut", "func", "table", "memory", "global", "elem", "data", "start", "module"}) {
    if (kw == s) return true;
  }
  return false;
}

}  // namespace

Result<void> ModuleParser::parse_instrs(BinaryWriter& out, bool single) {
  std::vector<Frame> frames;
  const size_t base0 = labels_.size();
  while (true) {
    const Token& tok = cur_.peek();
    Frame* top = frames.empty() ? nullptr : &frames.back();
    size_t base = top ? top->label_base : base0;
    if (tok.kind == TokenKind::RParen) {
      if (labels_.size() > base) return cur_.unexpected();  // a plain block left open
      if (!top) return {};
      switch (top->kind) {
        case Frame::Kind::Folded:
          out.append(top->pending);
          frames.pop_back();
          break;
        case Frame::Kind::IfCond: return cur_.unexpected();
        case Frame::Kind::IfThen: top->kind = Frame::Kind::IfAfterThen; break;
        case Frame::Kind::IfElse: top->kind = Frame::Kind::IfAfterElse; break;
        case Frame::Kind::Block:
        case Frame::Kind::IfAfterThen:
        case Frame::Kind::IfAfterElse:
          out.byte(0x0B);
          labels_.pop_back();
          frames.pop_back();
          break;
      }
      cur_.next();
      if (single && frames.empty()) return {};
      continue;
    }
    if (top && top->kind == Frame::Kind::IfCond && cur_.at_field("then")) {
      cur_.next();
      cur_.next();
      out.append(top->pending);
      labels_.push_back(Label{top->label, false, true, false});
      top->kind = Frame::Kind::IfThen;
      top->label_base = labels_.size();
      continue;
    }
    if (top && top->kind == Frame::Kind::IfAfterThen) {
      if (!cur_.at_field("else")) return cur_.unexpected();
      cur_.next();
      cur_.next();
      out.byte(0x05);
      top->kind = Frame::Kind::IfElse;
      continue;
    }
    if (top && top->kind == Frame::Kind::IfAfterElse) return cur_.unexpected();
    if (tok.kind == TokenKind::LParen) {
      if (frames.size() + labels_.size() >= kMaxNesting) {
        return error_at(tok, "nesting too deep");
      }
      cur_.next();
      if (!cur_.at(TokenKind::Keyword)) return cur_.unexpected();
      const Token& op = cur_.next();
      if (op.text == "block" || op.text == "loop") {
        out.byte(op.text == "block" ? 0x02 : 0x03);
        std::string_view label = TRY(parse_block_header(out));
        labels_.push_back(Label{label, false, false, false});
        frames.push_back(Frame{Frame::Kind::Block, {}, labels_.size(), {}});
      } else if (op.text == "if") {
        BinaryWriter header;
        header.byte(0x04);
        std::string_view label = TRY(parse_block_header(header));
        frames.push_back(
            Frame{Frame::Kind::IfCond, std::move(header.bytes()), labels_.size(), label});
      } else if (is_structure_keyword(op.text)) {
        return error_at(op, "unexpected token");
      } else {
        BinaryWriter instr;
        TRY(parse_plain(op, instr));
        frames.push_back(Frame{Frame::Kind::Folded, std::move(instr.bytes()), labels_.size(), {}});
      }
      continue;
    }
    if (single && frames.empty()) return cur_.unexpected();
    // Folded operands and if conditions are folded instructions only.
    if (top && (top->kind == Frame::Kind::Folded || top->kind == Frame::Kind::IfCond)) {
      return cur_.unexpected();
    }
    if (tok.kind != TokenKind::Keyword) return cur_.unexpected();
    const Token& op = cur_.next();
    if (op.text == "block" || op.text == "loop" || op.text == "if") {
      if (labels_.size() >= kMaxNesting) return error_at(op, "nesting too deep");
      bool is_if = op.text == "if";
      out.byte(is_if ? 0x04 : op.text == "block" ? 0x02 : 0x03);
      std::string_view label = TRY(parse_block_header(out));
      labels_.push_back(Label{label, true, is_if, false});
    } else if (op.text == "end" || op.text == "else") {
      if (labels_.size() <= base || !labels_.back().plain) return error_at(op, "unexpected token");
      Label& label = labels_.back();
      bool is_else = op.text == "else";
      if (is_else && (!label.is_if || label.seen_else)) return error_at(op, "unexpected token");
      if (cur_.at(TokenKind::Id)) {
        if (cur_.peek().text != label.name) return error_at(cur_.peek(), "mismatching label");
        cur_.next();
      }
      if (is_else) {
        out.byte(0x05);
        label.seen_else = true;
      } else {
        out.byte(0x0B);
        labels_.pop_back();
      }
    } else {
      TRY(parse_plain(op, out));
    }
  }
}

Result<std::string_view> ModuleParser::parse_block_header(BinaryWriter& out) {
  std::string_view label;
  if (cur_.at(TokenKind::Id)) label = cur_.next().text;
  const Token& at = cur_.peek();
  TypeUse use = TRY(parse_typeuse(false));
  if (!use.index && use.type.params.empty() && use.type.results.size() <= 1) {
    if (use.type.results.empty())
      out.byte(0x40);
    else
      out.val_type(use.type.results[0]);
  } else {
    // Block parameters, several results or a type index: multi-value.
    TRY(require(wasm::Feature::MultiValue, at));
    out.sleb(TRY(type_index(use, at)));
  }
  return label;
}

Result<uint32_t> ModuleParser::resolve_label() {
  const Token& tok = cur_.peek();
  if (tok.kind == TokenKind::Id) {
    for (size_t i = labels_.size(); i-- > 0;) {
      if (labels_[i].name == tok.text) {
        cur_.next();
        return static_cast<uint32_t>(labels_.size() - 1 - i);
      }
    }
    return error_at(tok, "unknown label");
  }
  if (tok.kind != TokenKind::Number) return cur_.unexpected();
  uint64_t v = 0;
  LiteralStatus st = parse_nat(tok.text, UINT32_MAX, v);
  if (st != LiteralStatus::Ok) return error_at(tok, "unknown operator");
  cur_.next();
  return static_cast<uint32_t>(v);
}

Result<uint32_t> ModuleParser::resolve_local() {
  const Token& tok = cur_.peek();
  if (tok.kind == TokenKind::Id) {
    auto it = local_names_.find(tok.text);
    if (it == local_names_.end()) return error_at(tok, "unknown local " + std::string(tok.text));
    cur_.next();
    return it->second;
  }
  if (tok.kind != TokenKind::Number) return cur_.unexpected();
  uint64_t v = 0;
  LiteralStatus st = parse_nat(tok.text, UINT32_MAX, v);
  if (st != LiteralStatus::Ok) return error_at(tok, "unknown operator");
  cur_.next();
  return static_cast<uint32_t>(v);
}

Result<void> ModuleParser::parse_expr(BinaryWriter& out) {
  TRY(parse_instrs(out, false));
  out.byte(0x0B);
  return {};
}

// Parameters (named from the inline declaration), `(local ...)*`, the body and `end`.
Result<void> ModuleParser::parse_func_body(const TypeUse& use, uint32_t type_index,
                                           BinaryWriter& out) {
  local_names_.clear();
  labels_.clear();
  uint32_t count = type_index < type_defs_.size()
                       ? static_cast<uint32_t>(type_defs_[type_index].params.size())
                       : static_cast<uint32_t>(use.type.params.size());
  for (size_t i = 0; i < use.param_names.size(); ++i) {
    if (use.param_names[i].empty()) continue;
    if (!local_names_.emplace(use.param_names[i], static_cast<uint32_t>(i)).second) {
      return cur_.unexpected("duplicate local");
    }
  }
  std::vector<wasm::ValType> locals;
  while (cur_.at_field("local")) {
    cur_.next();
    cur_.next();
    if (cur_.at(TokenKind::Id)) {
      const Token& id = cur_.next();
      if (!local_names_.emplace(id.text, count + static_cast<uint32_t>(locals.size())).second) {
        return error_at(id, "duplicate local");
      }
      locals.push_back(TRY(parse_val_type()));
      TRY(cur_.expect(TokenKind::RParen));
      continue;
    }
    while (!cur_.at(TokenKind::RParen)) locals.push_back(TRY(parse_val_type()));
    cur_.next();
  }
  BinaryWriter body;
  // Runs of equal types share one entry, as the binary format's local declarations allow.
  BinaryWriter groups;
  uint32_t group_count = 0;
  for (size_t i = 0; i < locals.size();) {
    size_t j = i;
    while (j < locals.size() && locals[j] == locals[i]) ++j;
    groups.u32(static_cast<uint32_t>(j - i));
    groups.val_type(locals[i]);
    ++group_count;
    i = j;
  }
  body.u32(group_count);
  body.append(groups.bytes());
  TRY(parse_expr(body));
  out.sized(body.bytes());
  return {};
}

}  // namespace lunatic::text
