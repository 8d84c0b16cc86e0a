//! Rich Text Format builders: a Word-like document header, escaped text,
//! paragraphs and `\field` groups.
//!
//! In RTF a literal backslash is written `\\`; a Word field code that itself
//! contains a doubled backslash (`c:\\windows`) therefore appears as
//! `c:\\\\windows` in the file.

/// Escapes `\`, `{` and `}` and writes non-ASCII characters as `\uN?`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    // RTF \u takes a signed 16-bit number.
                    out.push_str(&format!("\\u{}?", *unit as i16));
                }
            }
        }
    }
    out
}

/// A complete RTF document as Word saves it: font and colour tables, a
/// stylesheet, an info group titled `title` and then `body`.
pub fn document(title: &str, body: &str) -> String {
    format!(
        "{{\\rtf1\\adeflang1025\\ansi\\ansicpg1252\\uc1\\adeff0\\deff0\\stshfdbch0\\stshfloch0\
         \\stshfhich0\\stshfbi0\\deflang2057\\deflangfe2057\\themelang2057\r\n\
         {{\\fonttbl{{\\f0\\froman\\fcharset0\\fprq2 Times New Roman;}}\
         {{\\f1\\fswiss\\fcharset0\\fprq2 Calibri;}}{{\\f2\\fswiss\\fcharset0\\fprq2 Calibri Light;}}}}\r\n\
         {{\\colortbl;\\red0\\green0\\blue0;\\red5\\green99\\blue193;\\red47\\green84\\blue150;}}\r\n\
         {{\\stylesheet{{\\ql \\li0\\ri0\\sa160\\sl259\\slmult1 \\f1\\fs22 \\snext0 Normal;}}\
         {{\\s1\\ql \\sb240\\keepn\\outlinelevel0 \\f2\\fs32\\cf3 \\sbasedon0 \\snext0 heading 1;}}\
         {{\\*\\cs10 \\additive Default Paragraph Font;}}\
         {{\\*\\cs15 \\additive \\ul\\cf2 \\sbasedon10 Hyperlink;}}}}\r\n\
         {{\\info{{\\title {}}}{{\\author Contoso}}{{\\operator Contoso}}\
         {{\\creatim\\yr2017\\mo10\\dy9\\hr8\\min12}}{{\\revtim\\yr2017\\mo10\\dy9\\hr8\\min12}}\
         {{\\version2}}{{\\edmins3}}}}\r\n\
         \\paperw11906\\paperh16838\\margl1440\\margr1440\\margt1440\\margb1440\\widowctrl\\ftnbj\r\n\
         {}\r\n}}",
        escape(title),
        body
    )
}

/// A normal paragraph holding escaped `text`.
pub fn paragraph(text: &str) -> String {
    format!(
        "\\pard\\plain \\ql \\sa160\\f1\\fs22 {}\\par\r\n",
        escape(text)
    )
}

/// A heading paragraph (style 1) holding escaped `text`.
pub fn heading(text: &str) -> String {
    format!(
        "\\pard\\plain \\s1\\ql \\sb240\\keepn\\outlinelevel0 \\f2\\fs32\\cf3 {}\\par\r\n",
        escape(text)
    )
}

/// A field group. `instr_rtf` is already RTF (escape it with [`escape`] if it
/// is plain text); `result` is plain text.
pub fn field(instr_rtf: &str, result: &str) -> String {
    format!(
        "{{\\field{{\\*\\fldinst {instr_rtf}}}{{\\fldrslt {}}}}}",
        escape(result)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(escape("a\\b{c}"), "a\\\\b\\{c\\}");
        assert_eq!(escape("é"), "\\u233?");
        assert_eq!(escape("€"), "\\u8364?");
    }

    #[test]
    fn document_is_balanced() {
        let doc = document("T", &paragraph("x {y}"));
        let unescaped = doc
            .replace("\\\\", "")
            .replace("\\{", "")
            .replace("\\}", "");
        let opens = unescaped.matches('{').count();
        let closes = unescaped.matches('}').count();
        assert_eq!(opens, closes);
        assert!(doc.starts_with("{\\rtf1"));
    }
}
