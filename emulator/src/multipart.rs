//! A `multipart/form-data` body read as QBO's upload endpoint takes it: parts between
//! `--boundary` lines, with CRLF or bare LF line ends (python-quickbooks, the most used Python
//! client, writes LF), a part's headers up to its first blank line, and `Content-Transfer-
//! Encoding: base64` content decoded. Strict readers (the `multer` crate behind axum's
//! `Multipart`) refuse the LF bodies QBO accepts, hence this one.

use base64::Engine;

/// One part of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// `Content-Disposition`'s `name`.
    pub(crate) name: String,
    /// `Content-Disposition`'s `filename`, if any.
    pub(crate) file_name: Option<String>,
    /// `Content-Type`, if given.
    pub(crate) content_type: Option<String>,
    /// The content, base64 decoded when the part says it is base64.
    pub(crate) content: Vec<u8>,
}

/// The `boundary` parameter of a `multipart/form-data` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// The parts of `body`, or why it is not a multipart body with `boundary`.
pub(crate) fn parts(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = find(body, delimiter, 0).ok_or("no boundary line")?;
    let mut parts = Vec::new();
    loop {
        let after = at + delimiter.len();
        if body[after..].starts_with(b"--") {
            return Ok(parts);
        }
        let start = line_end(body, after).ok_or("a boundary line does not end")?;
        let next = find(body, delimiter, start).ok_or("the last part has no closing boundary")?;
        // The line break before a boundary belongs to the boundary.
        let mut end = next;
        if body[..end].ends_with(b"\n") {
            end -= 1;
            if body[..end].ends_with(b"\r") {
                end -= 1;
            }
        }
        parts.push(part(&body[start..end.max(start)])?);
        at = next;
    }
}

/// One part: headers, a blank line, the content.
fn part(raw: &[u8]) -> Result<Part, String> {
    let (head, content) = split_head(raw).ok_or("a part has no blank line after its headers")?;
    let head = String::from_utf8_lossy(head);
    let mut name = None;
    let mut file_name = None;
    let mut content_type = None;
    let mut base64 = false;
    for line in head.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key.trim().to_ascii_lowercase().as_str() {
            "content-disposition" => {
                for param in value.split(';').skip(1) {
                    if let Some((k, v)) = param.split_once('=') {
                        let v = v.trim().trim_matches('"').to_owned();
                        match k.trim().to_ascii_lowercase().as_str() {
                            "name" => name = Some(v),
                            "filename" => file_name = Some(v).filter(|f| !f.is_empty()),
                            _ => {}
                        }
                    }
                }
            }
            "content-type" => content_type = Some(value.to_owned()),
            "content-transfer-encoding" => base64 = value.eq_ignore_ascii_case("base64"),
            _ => {}
        }
    }
    let name = name.ok_or("a part has no Content-Disposition name")?;
    let content = if base64 {
        let text: Vec<u8> = content
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|err| format!("part {name} is not base64: {err}"))?
    } else {
        content.to_vec()
    };
    Ok(Part {
        name,
        file_name,
        content_type,
        content,
    })
}

/// The headers and the content of a part, split at its first blank line (CRLF or LF).
fn split_head(raw: &[u8]) -> Option<(&[u8], &[u8])> {
    if raw.starts_with(b"\r\n") {
        return Some((&[], &raw[2..]));
    }
    if raw.starts_with(b"\n") {
        return Some((&[], &raw[1..]));
    }
    let crlf = find(raw, b"\r\n\r\n", 0).map(|i| (i, i + 4));
    let lf = find(raw, b"\n\n", 0).map(|i| (i, i + 2));
    let (head_end, body_start) = match (crlf, lf) {
        (Some(a), Some(b)) => {
            if a.0 <= b.0 {
                a
            } else {
                b
            }
        }
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => return None,
    };
    Some((&raw[..head_end], &raw[body_start..]))
}

/// The index just past the line break that ends the line at `from`.
fn line_end(body: &[u8], from: usize) -> Option<usize> {
    body[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| from + i + 1)
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_bodies_as_browsers_and_qbos_samples_write_them() {
        let body = b"--b1\r\nContent-Disposition: form-data; name=\"file_metadata_01\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--b1\r\nContent-Disposition: form-data; name=\"file_content_01\"; filename=\"r.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n\x00\xff\r\n--b1--\r\n";
        let parts = parts(body, "b1").expect("parts");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "file_metadata_01");
        assert_eq!(parts[0].content, b"{\"a\":1}");
        assert_eq!(parts[1].file_name.as_deref(), Some("r.pdf"));
        assert_eq!(parts[1].content_type.as_deref(), Some("application/pdf"));
        assert_eq!(
            parts[1].content, b"%PDF\r\n\x00\xff",
            "binary content kept byte for byte"
        );
    }

    #[test]
    fn lf_bodies_with_base64_content_as_python_quickbooks_writes_them() {
        let body = "\n--x\nContent-Disposition: form-data; name=\"file_metadata_01\"\nContent-Type: application/json\n\n{\"FileName\": \"r.pdf\"}\n\n--x\nContent-Disposition: form-data; name=\"file_content_01\"\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQ=\n\n--x--\n";
        let parts = parts(body.as_bytes(), "x").expect("parts");
        assert_eq!(parts.len(), 2);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&parts[0].content).expect("JSON")["FileName"],
            "r.pdf"
        );
        assert_eq!(parts[1].content, b"%PDF-1.4");
        assert_eq!(parts[1].file_name, None);
    }

    #[test]
    fn what_is_not_multipart_is_refused() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"-----abc\""),
            Some("-----abc".to_owned())
        );
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
        assert!(parts(b"no boundary here", "b").is_err());
        assert!(
            parts(
                b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nopen",
                "b"
            )
            .is_err()
        );
        assert!(parts(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "b").is_err());
        let bad = b"--b\nContent-Disposition: form-data; name=\"c\"\nContent-Transfer-Encoding: base64\n\n***\n--b--\n";
        assert!(parts(bad, "b").is_err());
    }
}
