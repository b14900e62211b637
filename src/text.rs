//! How numbers and OS errors are spelled for people: thousands separators in counts and
//! limits, factors as short as they read, I/O errors in words. A leaf: it imports
//! nothing from the crate, so every module (validation, stats, plot, the edge) can use
//! it.

/// `1000000` as `1,000,000`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number as short as it reads: `3`, `2.5`, `1e300`.
pub(crate) fn shortest(x: f64) -> String {
    let text = format!("{x}");
    if text.len() > 12 {
        format!("{x:e}")
    } else {
        text
    }
}

/// An I/O error in words, without the `(os error N)` suffix; `not_found` is what a
/// missing path is called (a file, a directory).
pub(crate) fn io_reason(e: &std::io::Error, not_found: &str) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => not_found.to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let text = e.to_string();
            match text.find(" (os error") {
                Some(cut) => text[..cut].to_string(),
                None => text,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (1_000_000, "1,000,000"),
            (1_234_567, "1,234,567"),
        ];
        for (n, text) in cases {
            assert_eq!(thousands(n), text);
        }
    }

    #[test]
    fn numbers_are_as_short_as_they_read() {
        assert_eq!(shortest(3.0), "3");
        assert_eq!(shortest(2.5), "2.5");
        assert_eq!(shortest(1e300), "1e300");
        assert_eq!(shortest(0.1 + 0.2), "3.0000000000000004e-1");
    }

    #[test]
    fn io_errors_read_as_words() {
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(io_reason(&missing, "no such file"), "no such file");
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert_eq!(io_reason(&denied, "no such file"), "permission denied");
        let os = std::io::Error::from_raw_os_error(21);
        assert!(!io_reason(&os, "no such file").contains("os error"));
    }
}
