//! Spreadsheet formula syntax for DDE: remote references and DDE function calls.
//!
//! Excel reads `service|topic!item` (optionally quoted: `cmd|'/c calc'!A0`) as a dynamic data
//! exchange reference: it asks the program `service` for `item` of `topic`, starting the program
//! if needed. LibreOffice writes the same as `DDE("service";"topic";"item")`. This module finds
//! both in formula text without evaluating anything; string literals (`"a|b"`) are skipped.

/// A DDE reference found in a formula.
#[derive(Clone, Debug, Eq, PartialEq)]
pub struct DdeReference {
    /// The DDE server (program), quotes removed.
    pub service: String,
    /// The topic (for a program, its command line), quotes removed and `''` decoded.
    pub topic: String,
    /// The item (`A0`), possibly empty.
    pub item: String,
    /// Character offset of the reference in the formula.
    pub offset: usize,
}

/// Characters a bare (unquoted) DDE service name may contain.
fn is_service_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '\\' | ':' | '-' | '$' | '~')
}

/// Characters of a bare topic or item.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '$' | '\\' | ':' | '-' | '/' | '~')
}

/// Finds `service|topic!item` references in `formula`.
pub fn remote_references(formula: &str) -> Vec<DdeReference> {
    let chars: Vec<char> = formula.chars().collect();
    let mut found = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '"' => in_string = !in_string,
            '\'' if !in_string => {
                // Skip a quoted name; when a `|` follows, it is the service of a reference and
                // the loop goes on at the bar.
                i = quoted_end(&chars, i) + 1;
                continue;
            }
            '|' if !in_string => {
                if let Some(reference) = reference_at(&chars, i) {
                    found.push(reference);
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Index of the quote closing the quoted name that opens at `start` (`''` is an escaped quote);
/// the last index when it is not closed.
fn quoted_end(chars: &[char], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(&c) = chars.get(i) {
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                i += 2;
                continue;
            }
            return i;
        }
        i += 1;
    }
    chars.len().saturating_sub(1)
}

/// Reads the quoted text opening at `start`, decoding `''`; returns it and the index after it.
fn read_quoted(chars: &[char], start: usize) -> (String, usize) {
    let end = quoted_end(chars, start);
    let inner: String = chars
        .get(start + 1..end)
        .unwrap_or_default()
        .iter()
        .collect();
    (inner.replace("''", "'"), end + 1)
}

/// Parses the reference around the `|` at `bar`.
fn reference_at(chars: &[char], bar: usize) -> Option<DdeReference> {
    // Service: a quoted name ending just before the bar, or a bare name.
    let (service, start) = if bar > 0 && chars.get(bar - 1) == Some(&'\'') {
        let close = bar - 1;
        let mut open = close;
        loop {
            open = open.checked_sub(1)?;
            if chars.get(open) == Some(&'\'') {
                if open > 0 && chars.get(open - 1) == Some(&'\'') {
                    open -= 1;
                    continue;
                }
                break;
            }
        }
        let inner: String = chars.get(open + 1..close)?.iter().collect();
        (inner.replace("''", "'"), open)
    } else {
        let mut start = bar;
        while start > 0 && chars.get(start - 1).is_some_and(|&c| is_service_char(c)) {
            start -= 1;
        }
        (chars.get(start..bar)?.iter().collect::<String>(), start)
    };
    // A bare service must look like a program name, not a number (`3.14|2!7`).
    if service.is_empty() || !service.chars().next().is_some_and(char::is_alphabetic) {
        return None;
    }
    let mut i = bar + 1;
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    let topic = if chars.get(i) == Some(&'\'') {
        let (topic, next) = read_quoted(chars, i);
        i = next;
        topic
    } else {
        let begin = i;
        while chars.get(i).is_some_and(|&c| is_name_char(c) || c == ' ') {
            i += 1;
        }
        chars
            .get(begin..i)?
            .iter()
            .collect::<String>()
            .trim_end()
            .to_owned()
    };
    if chars.get(i) != Some(&'!') {
        return None;
    }
    i += 1;
    let item_start = i;
    if chars.get(i) == Some(&'\'') {
        let (item, _) = read_quoted(chars, i);
        return Some(DdeReference {
            service,
            topic,
            item,
            offset: start,
        });
    }
    while chars.get(i).is_some_and(|&c| is_name_char(c)) {
        i += 1;
    }
    let item = chars.get(item_start..i)?.iter().collect();
    Some(DdeReference {
        service,
        topic,
        item,
        offset: start,
    })
}

/// Finds calls of the functions named in `names` (compared case-insensitively, e.g. `DDE`) and
/// reads their first three arguments as service, topic and item.
pub fn function_calls(formula: &str, names: &[String]) -> Vec<DdeReference> {
    let chars: Vec<char> = formula.chars().collect();
    let mut found = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c == '"' {
            in_string = !in_string;
        } else if !in_string && c == '(' {
            let mut start = i;
            while start > 0
                && chars
                    .get(start - 1)
                    .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
            {
                start -= 1;
            }
            let name: String = chars.get(start..i).unwrap_or_default().iter().collect();
            // `_xlfn.`-style prefixes are part of the stored name; match the last segment.
            let short = name.rsplit('.').next().unwrap_or(&name);
            if names.iter().any(|n| n.eq_ignore_ascii_case(short)) {
                let args = call_arguments(&chars, i + 1);
                let arg = |n: usize| args.get(n).cloned().unwrap_or_default();
                if !arg(0).is_empty() {
                    found.push(DdeReference {
                        service: arg(0),
                        topic: arg(1),
                        item: arg(2),
                        offset: start,
                    });
                }
            }
        }
        i += 1;
    }
    found
}

/// Reads the arguments of a call whose `(` is just before `start`: separated by `;` or `,` at
/// the top level, string literals unquoted.
fn call_arguments(chars: &[char], start: usize) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut i = start;
    while let Some(&c) = chars.get(i) {
        match c {
            '"' => {
                i += 1;
                while let Some(&s) = chars.get(i) {
                    if s == '"' {
                        if chars.get(i + 1) == Some(&'"') {
                            current.push('"');
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    current.push(s);
                    i += 1;
                }
            }
            '(' => {
                depth += 1;
                current.push(c);
            }
            ')' if depth == 0 => break,
            ')' => {
                depth -= 1;
                current.push(c);
            }
            ';' | ',' if depth == 0 => args.push(std::mem::take(&mut current).trim().to_owned()),
            _ => current.push(c),
        }
        i += 1;
    }
    args.push(current.trim().to_owned());
    args
}

/// The A1-style name of the cell at 1-based `row` and `column` (`a1_reference(2, 28)` is
/// `AB2`); `R0C0`-style when either is 0 (a position the input did not give).
pub fn a1_reference(row: u32, column: u32) -> String {
    if row == 0 || column == 0 {
        return format!("R{row}C{column}");
    }
    let mut letters = Vec::new();
    let mut n = column;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &row.to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn one(formula: &str) -> DdeReference {
        let refs = remote_references(formula);
        assert_eq!(refs.len(), 1, "{formula}: {refs:?}");
        refs.into_iter().next().unwrap()
    }

    #[test]
    fn classic_cmd_reference() {
        let r = one("=cmd|'/c calc.exe'!A0");
        assert_eq!(
            (r.service.as_str(), r.topic.as_str(), r.item.as_str()),
            ("cmd", "/c calc.exe", "A0")
        );
        assert_eq!(r.offset, 1);
    }

    #[test]
    fn escaped_quotes_in_topic() {
        let r = one("cmd|'/c IEX(''http://x/a'')'!A0");
        assert_eq!(r.topic, "/c IEX('http://x/a')");
    }

    #[test]
    fn reference_inside_an_expression() {
        let r = one("@SUM(1+1)*cmd|'/c calc.exe'!A0");
        assert_eq!(r.service, "cmd");
        let r = one("=AAAA+BBBB&MSEXCEL|'\\..\\..\\Windows\\System32\\cmd.exe'!A0");
        assert_eq!(r.service, "MSEXCEL");
        assert_eq!(r.topic, "\\..\\..\\Windows\\System32\\cmd.exe");
    }

    #[test]
    fn quoted_service() {
        let r = one("='C:\\Windows\\System32\\cmd.exe'|'/c calc'!A1");
        assert_eq!(r.service, "C:\\Windows\\System32\\cmd.exe");
    }

    #[test]
    fn not_references() {
        for formula in [
            "3.14|2!7",
            "=IF(A1>2,\"a|b\",\"c\")",
            "=SUM(A1:A3)",
            "=cmd|'/c calc'",
            "='Sheet 1'!A1",
        ] {
            assert!(remote_references(formula).is_empty(), "{formula}");
        }
    }

    #[test]
    fn a1_names() {
        assert_eq!(a1_reference(2, 1), "A2");
        assert_eq!(a1_reference(2, 28), "AB2");
        assert_eq!(a1_reference(1, 16384), "XFD1");
        assert_eq!(a1_reference(0, 3), "R0C3");
    }

    #[test]
    fn libreoffice_dde_function() {
        let names = vec!["DDE".to_owned()];
        let refs = function_calls("=DDE(\"cmd\";\"/c calc.exe\";\"__DdeLink_60_3\")", &names);
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].service, "cmd");
        assert_eq!(refs[0].topic, "/c calc.exe");
        assert_eq!(refs[0].item, "__DdeLink_60_3");
        assert!(function_calls("=ADDED(1)+\"DDE(x)\"", &names).is_empty());
    }
}
