//! Escaping of evidence text for each report form.
//!
//! Everything a report quotes from the evidence (messages, paths, commands, URLs, host and user
//! names) is attacker-controlled: a DDE payload is itself an injection into a spreadsheet. Each
//! form therefore quotes it through one function here, so that the report shows the text as
//! found and never runs it: [`html`] for HTML text and attributes, [`md_text`] and [`md_code`]
//! for Markdown prose and verbatim values (with [`md_cell_code`] in tables), [`csv_cell`] for spreadsheet cells.

use std::borrow::Cow;

/// Escapes `&`, `<`, `>`, `"` and `'`, which makes `text` safe both as HTML text and inside a
/// quoted attribute value.
pub fn html(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Markdown prose from evidence: every character Markdown (CommonMark and GitHub's tables) gives
/// a meaning to is backslash-escaped, so the text renders as written; line breaks become
/// spaces, so a value stays on its line, list item or table row.
///
/// Addresses in prose are defanged (`hxxp://`, `hxxps://`, `fxp://`, `www[.]`), as threat
/// reports write them: GitHub and GitLab turn bare URLs into links, and a reader must not be one
/// click from the attacker's server. Verbatim values (code spans, [`md_code`]) keep them as found.
pub fn md_text(text: &str) -> String {
    let text = defang(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// `text` with the schemes and `www.` that autolinkers follow made inert (ASCII
/// case-insensitive; the rest of the text is kept).
fn defang(text: &str) -> String {
    const FANGS: &[(&str, &str)] = &[
        ("http://", "hxxp://"),
        ("https://", "hxxps://"),
        ("ftp://", "fxp://"),
        ("www.", "www[.]"),
    ];
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len() + 8);
    let mut at = 0;
    while at < text.len() {
        let hit = FANGS
            .iter()
            .find(|(fang, _)| lower.get(at..).is_some_and(|rest| rest.starts_with(fang)));
        match hit {
            Some((fang, safe)) => {
                out.push_str(safe);
                at += fang.len();
            }
            None => {
                let Some(c) = text.get(at..).and_then(|rest| rest.chars().next()) else {
                    break;
                };
                out.push(c);
                at += c.len_utf8();
            }
        }
    }
    out
}

/// A verbatim value (command, path, hash, message) as a Markdown code span: shown exactly as
/// found, never read as Markdown or HTML, never turned into a link.
///
/// The fence is one backtick longer than the longest run of backticks inside and line breaks
/// become spaces. An empty value is written `—`. Inside a table use [`md_cell_code`].
pub fn md_code(text: &str) -> String {
    code_span(text, false)
}

/// [`md_code`] for a table cell: `|` is also written `\|` (GitHub's tables split cells on `|`
/// even inside code spans, and drop the backslash there).
pub fn md_cell_code(text: &str) -> String {
    code_span(text, true)
}

fn code_span(text: &str, in_table: bool) -> String {
    if text.is_empty() {
        return "—".to_owned();
    }
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let body: String = text
        .chars()
        .flat_map(|c| match c {
            '|' if in_table => vec!['\\', '|'],
            '\r' | '\n' => vec![' '],
            _ => vec![c],
        })
        .collect();
    // A space on each side keeps a leading or trailing backtick off the fence; CommonMark strips
    // one such space from each side.
    if body.starts_with('`') || body.ends_with('`') {
        format!("{fence} {body} {fence}")
    } else {
        format!("{fence}{body}{fence}")
    }
}

/// A spreadsheet cell from evidence: a value starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is prefixed with a single quote `'`, so that Excel, LibreOffice or Google Sheets show
/// it as text instead of evaluating it as a formula (CSV injection, which is what a DDE formula
/// such as `=cmd|'/c calc'!A0` is).
pub fn csv_cell(value: &str) -> Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#""><img src=x onerror=alert(1)>"#),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(
            html("<script>alert('1')</script> & co"),
            "&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt; &amp; co"
        );
        assert!(matches!(html("plain C:\\x.docx"), Cow::Borrowed(_)));
    }

    #[test]
    fn md_text_keeps_tables_and_markup_inert() {
        assert_eq!(
            md_text("cmd|'/c calc'!A0\n<b>*x*</b>"),
            r"cmd\|'/c calc'!A0 \<b\>\*x\*\</b\>"
        );
        assert_eq!(md_text(r"\\srv\share"), r"\\\\srv\\share");
    }

    #[test]
    fn md_code_fences_backticks_and_pipes() {
        assert_eq!(md_cell_code("cmd|'/c calc'!A0"), r"`cmd\|'/c calc'!A0`");
        assert_eq!(md_code("cmd|'/c calc'!A0"), "`cmd|'/c calc'!A0`");
        assert_eq!(md_code("a`b"), "``a`b``");
        assert_eq!(md_code("`x"), "`` `x ``");
        assert_eq!(md_code("line1\r\nline2"), "`line1  line2`");
        assert_eq!(md_code(""), "—");
    }

    #[test]
    fn csv_cell_neutralises_formulas() {
        for bad in [
            "=cmd|'/c calc'!A0",
            "+1+cmd",
            "-2+3",
            "@SUM(A1)",
            "\t=x",
            "\r=x",
        ] {
            assert_eq!(csv_cell(bad), format!("'{bad}"));
        }
        assert_eq!(csv_cell("evil.example"), "evil.example");
        assert_eq!(csv_cell("C:\\a=b"), "C:\\a=b");
    }
}
