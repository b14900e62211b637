//! The Confluent wire format (magic byte 0, the schema id as 4 big-endian bytes, then the
//! encoded value) and the base64 text `--dry-run --encoded` prints.

/// The schema id written when no registry assigned one (`--dry-run --encoded`).
pub const PLACEHOLDER_ID: u32 = 0;

/// Appends the wire-format header for schema `id`: `00` and the id, big-endian.
pub fn write_header(out: &mut Vec<u8>, id: u32) {
    out.push(0);
    out.extend_from_slice(&id.to_be_bytes());
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The two base64 characters of every 12-bit value, so that three bytes take two
/// look-ups.
static PAIRS: [[u8; 2]; 4096] = {
    let mut pairs = [[0; 2]; 4096];
    let mut n = 0;
    while n < 4096 {
        pairs[n] = [ALPHABET[n >> 6], ALPHABET[n & 0x3F]];
        n += 1;
    }
    pairs
};

/// Appends `bytes` as standard base64 (RFC 4648, with `=` padding).
pub fn write_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    let sextet = |n: u32, i: u32| ALPHABET[(n >> (18 - 6 * i)) as usize & 0x3F];
    out.reserve(bytes.len().div_ceil(3) * 4);
    let chunks = bytes.chunks_exact(3);
    let tail = chunks.remainder();
    for chunk in chunks {
        let n =
            (usize::from(chunk[0]) << 16) | (usize::from(chunk[1]) << 8) | usize::from(chunk[2]);
        let ([a, b], [c, d]) = (PAIRS[n >> 12], PAIRS[n & 0xFFF]);
        out.extend_from_slice(&[a, b, c, d]);
    }
    if let [first, rest @ ..] = tail {
        let second = rest.first().copied().unwrap_or(0);
        let n = (u32::from(*first) << 16) | (u32::from(second) << 8);
        let third = if rest.is_empty() { b'=' } else { sextet(n, 2) };
        out.extend_from_slice(&[sextet(n, 0), sextet(n, 1), third, b'=']);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base64(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        write_base64(&mut out, bytes);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn base64_matches_the_rfc_4648_test_vectors() {
        for (text, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(text.as_bytes()), expected);
        }
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }

    #[test]
    fn the_header_is_magic_zero_then_the_id_big_endian() {
        let mut out = Vec::new();
        write_header(&mut out, 0x0102_0304);
        assert_eq!(out, [0, 1, 2, 3, 4]);
    }
}
