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

/// `path` from its volume's root: `C:\x`, `\\?\C:\x`, `\??\C:\x` and
/// `\Device\HarddiskVolume3\x` all give `\x` (other forms are returned as they are).
pub fn volume_path(path: &str) -> &str {
    let path = ["\\\\?\\", "\\??\\"]
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))
        .unwrap_or(path);
    if path.len() >= 8
        && path
            .get(..8)
            .is_some_and(|h| h.eq_ignore_ascii_case("\\device\\"))
    {
        // Skip `\Device\<name>`; the rest starts at the volume root.
        return path
            .get(8..)
            .and_then(|rest| rest.find('\\').map(|at| &rest[at..]))
            .unwrap_or(path);
    }
    match path.as_bytes() {
        [drive, b':', ..] if drive.is_ascii_alphabetic() => path.get(2..).unwrap_or(path),
        _ => path,
    }
}

/// Whether `path` matches `fragment`: a fragment that starts with `\` is anchored at the volume
/// root (a folder when it ends with `\`, else the whole path); any other fragment may occur
/// anywhere (a file name, part of a command line). Case-insensitive.
pub fn matches_fragment(path: &str, fragment: &str) -> bool {
    if fragment.starts_with('\\') {
        let rooted = volume_path(path);
        if fragment.ends_with('\\') {
            rooted
                .get(..fragment.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(fragment))
        } else {
            rooted.eq_ignore_ascii_case(fragment)
        }
    } else {
        path.to_ascii_lowercase()
            .contains(&fragment.to_ascii_lowercase())
    }
}

/// Whether the registry path `path` matches `fragment`: a fragment that starts with `\` is a run
/// of whole key (or value) names, found anywhere in the path (`\Excel\Security\X` matches
/// `HKU\<SID>\Software\...\Excel\Security\X` and the hive path `Software\...\Excel\Security\X`,
/// not `...\Security\XY`); any other fragment may occur anywhere. Case-insensitive.
pub fn matches_registry_fragment(path: &str, fragment: &str) -> bool {
    let fragment = fragment.to_ascii_lowercase();
    // A leading `\` so that the first key name of a hive-relative path is whole too.
    let path = format!("\\{}", path.to_ascii_lowercase());
    if !fragment.starts_with('\\') || fragment.ends_with('\\') {
        return path.contains(&fragment);
    }
    path.match_indices(&fragment).any(|(at, _)| {
        path.get(at + fragment.len()..)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('\\'))
    })
}

/// The first of `folders` (anchored at the volume root) that `path` lies in, if any.
pub fn in_rooted_folder<'a>(folders: &'a [String], path: &str) -> Option<&'a str> {
    let rooted = volume_path(path);
    folders
        .iter()
        .find(|f| {
            rooted
                .get(..f.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(f))
        })
        .map(String::as_str)
}

/// The markers of `markers` that `text` holds, in profile order (trimmed: a marker's spaces only
/// delimit it).
pub fn markers_in(markers: &[String], text: &str) -> Vec<String> {
    // A space on each side, so that markers delimited by spaces match at either end.
    let lower = format!(" {} ", text.to_ascii_lowercase());
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
        let fragment = r"\Excel\Security\DisableDDEServerLaunch";
        for path in [
            r"HKU\S-1-5-21-1\Software\Microsoft\Office\16.0\Excel\Security\DisableDDEServerLaunch",
            r"Software\Microsoft\Office\16.0\excel\security\disableddeserverlaunch",
            r"Excel\Security\DisableDDEServerLaunch",
        ] {
            assert!(matches_registry_fragment(path, fragment), "{path}");
        }
        for path in [
            r"Software\Microsoft\Office\16.0\Excel\Security\DisableDDEServerLaunchX",
            r"Software\Microsoft\Office\16.0\MyExcel\Security\DisableDDEServerLaunch",
        ] {
            assert!(!matches_registry_fragment(path, fragment), "{path}");
        }
        assert!(matches_registry_fragment(
            r"HKU\S\Software\Contoso\X",
            r"\Contoso\"
        ));
        assert!(matches_registry_fragment(
            r"HKU\S\Software\Contoso\X",
            "contoso"
        ));
        assert_eq!(
            normalise_spaces("process   call\tcreate"),
            "process call create"
        );
    }
}
