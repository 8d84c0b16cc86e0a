//! Matching image names, folders and markers the way Windows compares them: ASCII
//! case-insensitively.

/// Whether the file name of `path` is one of `names`.
pub fn is_named(names: &[String], path: &str) -> bool {
    let name = super::process::file_name(path);
    !name.is_empty() && names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// The first of `folders` that `path` contains, if any.
pub fn in_folder<'a>(folders: &'a [String], path: &str) -> Option<&'a str> {
    let lower = path.to_ascii_lowercase();
    folders
        .iter()
        .find(|f| lower.contains(&f.to_ascii_lowercase()))
        .map(String::as_str)
}

/// The markers of `markers` that `text` holds, in profile order (trimmed: a marker's spaces only
/// delimit it).
pub fn markers_in(markers: &[String], text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    markers
        .iter()
        .filter(|m| lower.contains(&m.to_ascii_lowercase()))
        .map(|m| m.trim().to_owned())
        .collect()
}

/// `text` with runs of white space collapsed to one space (so `process  call   create`
/// matches `process call create`).
pub fn normalise_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_folders_ignore_case() {
        let names = vec!["winword.exe".to_owned()];
        assert!(is_named(&names, r"C:\X\WINWORD.EXE"));
        assert!(!is_named(&names, r"C:\X\WINWORD.EXE.bak"));
        assert!(!is_named(&names, ""));
        let folders = vec![r"\AppData\".to_owned()];
        assert_eq!(
            in_folder(&folders, r"C:\Users\a\appdata\x.exe"),
            Some(r"\AppData\")
        );
        assert_eq!(
            normalise_spaces("process   call\tcreate"),
            "process call create"
        );
    }
}
