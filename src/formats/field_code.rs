//! Word fields: assembling them from the parts a format delivers, and reading field codes.
//!
//! Word stores a field as begin / instruction / separator / result / end (OOXML `w:fldChar`
//! runs with `w:instrText`, RTF `{\field{\*\fldinst ...}{\fldrslt ...}}`, MS-DOC characters
//! 0x13/0x14/0x15). Format parsers report those pieces to a [`FieldSink`]; the
//! [`FieldAssembler`] joins split runs, nests fields, replaces a nested field by its value in
//! its parent's instruction (a `QUOTE 99 109 100` field becomes `cmd`) and bounds depth and
//! length. [`FieldCode::parse`] splits an instruction into keyword, arguments and switches as
//! Word does (ECMA-376 Part 1, 17.16 "Fields and Hyperlinks").

use super::{DocumentRecord, Limits, Location};

/// Receives the structure of Word fields as a format parser meets them.
pub trait FieldSink {
    /// A field starts (RTF `\field` group; Word `fldChar begin`). `offset` is the byte offset in the input.
    fn begin(&mut self, offset: u64);
    /// Text that belongs to the innermost open field's instruction (field code).
    fn instruction(&mut self, text: &str);
    /// The innermost open field's result starts (RTF `\fldrslt`; Word `fldChar separate`).
    fn separate(&mut self);
    /// Text of the innermost open field's result.
    fn result(&mut self, text: &str);
    /// The innermost open field ends. `offset` is the byte offset in the input.
    fn end(&mut self, offset: u64);
}

/// A field whose instruction has been reassembled.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct AssembledField {
    /// Byte offset of the field's beginning.
    pub offset: u64,
    /// The instruction, nested fields replaced by their values.
    pub instruction: String,
    /// True when the input ended before the field's end marker.
    pub unterminated: bool,
}

impl AssembledField {
    /// Turns the field into a document record located in `part`.
    pub fn into_record(self, part: Option<&str>) -> DocumentRecord {
        DocumentRecord::Field {
            location: Location {
                part: part.map(str::to_owned),
                offset: self.offset,
                cell: None,
            },
            instruction: self.instruction,
            unterminated: self.unterminated,
        }
    }
}

#[derive(Debug, Default)]
struct OpenField {
    offset: u64,
    instruction: String,
    result: String,
    in_result: bool,
}

/// Builds [`AssembledField`]s from the events of a format parser.
#[derive(Debug)]
pub struct FieldAssembler {
    open: Vec<OpenField>,
    done: Vec<AssembledField>,
    /// Begins ignored because they were deeper than the bound, not yet ended.
    ignored_depth: usize,
    max_depth: usize,
    max_chars: usize,
    too_deep: bool,
    too_long: bool,
    stray_ends: usize,
}

impl FieldAssembler {
    /// An assembler bounded by `limits` (field depth and instruction length).
    pub fn new(limits: &Limits) -> FieldAssembler {
        FieldAssembler {
            open: Vec::new(),
            done: Vec::new(),
            ignored_depth: 0,
            max_depth: limits.max_field_depth.max(1),
            max_chars: limits.max_field_chars,
            too_deep: false,
            too_long: false,
            stray_ends: 0,
        }
    }

    /// Whether a field is open (result text matters only then).
    pub fn in_field(&self) -> bool {
        !self.open.is_empty()
    }

    /// Closes the fields still open (as unterminated) and returns every field in the order it
    /// began, plus problems (bounds hit, unbalanced markers) as messages.
    pub fn finish(mut self) -> (Vec<AssembledField>, Vec<String>) {
        let mut problems = Vec::new();
        if !self.open.is_empty() {
            problems.push(format!(
                "{} field(s) have no end marker; reported as unterminated",
                self.open.len()
            ));
        }
        while let Some(field) = self.open.pop() {
            self.close(field, true);
        }
        if self.too_deep {
            problems.push(format!(
                "fields nested deeper than {} levels; deeper fields were merged into their parent",
                self.max_depth
            ));
        }
        if self.too_long {
            problems.push(format!(
                "a field instruction is longer than {} characters; the rest was not kept",
                self.max_chars
            ));
        }
        if self.stray_ends > 0 {
            problems.push(format!(
                "{} field end marker(s) without a beginning were ignored",
                self.stray_ends
            ));
        }
        self.done.sort_by_key(|field| field.offset);
        (self.done, problems)
    }

    fn push_text(target: &mut String, text: &str, max_chars: usize, too_long: &mut bool) {
        let room = max_chars.saturating_sub(target.len());
        if text.len() <= room {
            target.push_str(text);
        } else {
            *too_long = true;
            let mut cut = room;
            while cut > 0 && !text.is_char_boundary(cut) {
                cut -= 1;
            }
            target.push_str(text.get(..cut).unwrap_or_default());
        }
    }

    fn close(&mut self, field: OpenField, unterminated: bool) {
        let value = field_value(&field.instruction, &field.result);
        if let Some(parent) = self.open.last_mut() {
            let target = if parent.in_result {
                &mut parent.result
            } else {
                &mut parent.instruction
            };
            Self::push_text(target, &value, self.max_chars, &mut self.too_long);
        }
        self.done.push(AssembledField {
            offset: field.offset,
            instruction: field.instruction,
            unterminated,
        });
    }
}

impl FieldSink for FieldAssembler {
    fn begin(&mut self, offset: u64) {
        if self.open.len() >= self.max_depth {
            self.too_deep = true;
            self.ignored_depth += 1;
            return;
        }
        self.open.push(OpenField {
            offset,
            ..OpenField::default()
        });
    }

    fn instruction(&mut self, text: &str) {
        if let Some(field) = self.open.last_mut() {
            Self::push_text(
                &mut field.instruction,
                text,
                self.max_chars,
                &mut self.too_long,
            );
        }
    }

    fn separate(&mut self) {
        if self.ignored_depth > 0 {
            return;
        }
        if let Some(field) = self.open.last_mut() {
            field.in_result = true;
        }
    }

    fn result(&mut self, text: &str) {
        // Result text seen before the separator is display text Word does not evaluate.
        if let Some(field) = self.open.last_mut().filter(|field| field.in_result) {
            Self::push_text(&mut field.result, text, self.max_chars, &mut self.too_long);
        }
    }

    fn end(&mut self, _offset: u64) {
        if self.ignored_depth > 0 {
            self.ignored_depth -= 1;
            return;
        }
        match self.open.pop() {
            Some(field) => self.close(field, false),
            None => self.stray_ends += 1,
        }
    }
}

/// What a nested field contributes to its parent's instruction: a QUOTE field's decoded text,
/// any other field's result.
fn field_value(instruction: &str, result: &str) -> String {
    let code = FieldCode::parse(instruction);
    if code.keyword.eq_ignore_ascii_case("QUOTE") {
        if let Some(decoded) = code.quote_value() {
            return decoded;
        }
    }
    result.to_owned()
}

/// One argument of a field instruction.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct FieldArg {
    /// The text, with quotes removed and `\\` / `\"` escapes decoded.
    pub text: String,
    /// Whether it was written in double quotes.
    pub quoted: bool,
}

impl FieldArg {
    /// The argument as a command line shows it: in double quotes when it was quoted.
    pub fn render(&self) -> String {
        if self.quoted {
            format!("\"{}\"", self.text)
        } else {
            self.text.clone()
        }
    }
}

/// A field instruction split as Word reads it: `KEYWORD arg1 "arg 2" \switch ...`.
#[derive(Clone, Debug, Default, Eq, PartialEq)]
pub struct FieldCode {
    /// The field type, as written (compare case-insensitively).
    pub keyword: String,
    /// The arguments before the first switch.
    pub args: Vec<FieldArg>,
    /// The switches and everything after the first one, as written.
    pub switches: String,
}

/// Opening and closing quote characters Word accepts in field codes (straight and curly).
fn is_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}')
}

impl FieldCode {
    /// Splits an instruction into keyword, arguments and switches.
    pub fn parse(instruction: &str) -> FieldCode {
        let mut code = FieldCode::default();
        let mut rest = instruction.trim_start_matches(is_field_space);
        let mut first = true;
        while !rest.is_empty() {
            let (token, quoted, after) = next_token(rest);
            if !quoted && is_switch(&token.raw) {
                code.switches = rest.trim().to_owned();
                break;
            }
            if first {
                code.keyword = token.text;
                first = false;
            } else {
                code.args.push(FieldArg {
                    text: token.text,
                    quoted,
                });
            }
            rest = after.trim_start_matches(is_field_space);
        }
        code
    }

    /// The text a QUOTE field yields: character codes (`QUOTE 99 109 100` is `cmd`) or its
    /// literal arguments joined by spaces. `None` when there are no arguments.
    pub fn quote_value(&self) -> Option<String> {
        if self.args.is_empty() {
            return None;
        }
        let codes: Option<Vec<char>> = self
            .args
            .iter()
            .map(|arg| {
                if arg.quoted {
                    return None;
                }
                let code: u32 = arg.text.parse().ok()?;
                char::from_u32(code)
            })
            .collect();
        if let Some(chars) = codes {
            return Some(chars.into_iter().collect());
        }
        let parts: Vec<&str> = self.args.iter().map(|arg| arg.text.as_str()).collect();
        Some(parts.join(" "))
    }
}

fn is_field_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{00A0}' || c == '\0'
}

/// A switch is a backslash followed by a letter or one of `* # @ !` (`\* MERGEFORMAT`, `\d`).
fn is_switch(raw: &str) -> bool {
    let mut chars = raw.chars();
    chars.next() == Some('\\')
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '*' | '#' | '@' | '!'))
}

struct Token {
    raw: String,
    text: String,
}

/// Reads one token from the start of `input` (which starts with a non-space): a quoted string
/// or a run of non-space characters. Returns the token, whether it was quoted, and the rest.
fn next_token(input: &str) -> (Token, bool, &str) {
    let mut chars = input.char_indices().peekable();
    let quoted = input.starts_with(is_quote);
    if quoted {
        chars.next();
    }
    let mut text = String::new();
    let mut end = input.len();
    while let Some((i, c)) = chars.next() {
        if quoted && is_quote(c) {
            end = i + c.len_utf8();
            break;
        }
        if !quoted && is_field_space(c) {
            end = i;
            break;
        }
        if c == '\\' {
            if let Some(&(_, next)) = chars.peek() {
                if next == '\\' || is_quote(next) {
                    text.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        text.push(c);
    }
    let raw = input.get(..end).unwrap_or(input).to_owned();
    let rest = input.get(end..).unwrap_or_default();
    (Token { raw, text }, quoted, rest)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn parses_dde_instruction() {
        let code = FieldCode::parse(r#" DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc.exe" "#);
        assert_eq!(code.keyword, "DDEAUTO");
        assert_eq!(code.args.len(), 2);
        assert_eq!(code.args[0].text, r"c:\windows\system32\cmd.exe");
        assert!(!code.args[0].quoted);
        assert_eq!(code.args[1].render(), r#""/k calc.exe""#);
    }

    #[test]
    fn switches_end_the_arguments() {
        let code = FieldCode::parse(r#"HYPERLINK "http://example.com" \o "tip" \* MERGEFORMAT"#);
        assert_eq!(code.keyword, "HYPERLINK");
        assert_eq!(code.args.len(), 1);
        assert_eq!(code.switches, r#"\o "tip" \* MERGEFORMAT"#);
    }

    #[test]
    fn unc_path_is_not_a_switch() {
        let code = FieldCode::parse(r"DDE \\\\server\\share\\x.exe topic");
        assert_eq!(code.args[0].text, r"\\server\share\x.exe");
    }

    #[test]
    fn quote_decodes_character_codes() {
        let code = FieldCode::parse("QUOTE 99 109 100 46 101 120 101");
        assert_eq!(code.quote_value().as_deref(), Some("cmd.exe"));
        let literal = FieldCode::parse(r#"QUOTE "c:\\x" more"#);
        assert_eq!(literal.quote_value().as_deref(), Some(r"c:\x more"));
    }

    #[test]
    fn assembler_replaces_nested_quote_by_its_value() {
        let mut asm = FieldAssembler::new(&Limits::default());
        asm.begin(0);
        asm.instruction("DDE");
        asm.instruction("AUTO ");
        asm.begin(10);
        asm.instruction("QUOTE 99 109 100");
        asm.separate();
        asm.result("stale");
        asm.end(20);
        asm.instruction(r#" "/c calc""#);
        asm.separate();
        asm.result("x");
        asm.end(30);
        let (fields, problems) = asm.finish();
        assert!(problems.is_empty());
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0].instruction, r#"DDEAUTO cmd "/c calc""#);
        assert_eq!(fields[1].instruction, "QUOTE 99 109 100");
    }

    #[test]
    fn unterminated_and_too_deep_fields_are_reported() {
        let limits = Limits {
            max_field_depth: 2,
            ..Limits::default()
        };
        let mut asm = FieldAssembler::new(&limits);
        for i in 0..5 {
            asm.begin(i);
            asm.instruction("X ");
        }
        for i in 0..4 {
            asm.end(100 + i);
        }
        let (fields, problems) = asm.finish();
        assert_eq!(fields.len(), 2);
        assert!(fields[0].unterminated);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn instruction_length_is_bounded() {
        let limits = Limits {
            max_field_chars: 8,
            ..Limits::default()
        };
        let mut asm = FieldAssembler::new(&limits);
        asm.begin(0);
        asm.instruction("DDEAUTO é very long");
        asm.end(1);
        let (fields, problems) = asm.finish();
        assert_eq!(fields[0].instruction, "DDEAUTO ");
        assert_eq!(problems.len(), 1);
    }
}
