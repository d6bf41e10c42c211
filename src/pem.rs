//! PEM files, as far as a CA file needs: its `CERTIFICATE` blocks are copied into a
//! ConfigMap, and a private key in it (a combined certificate-and-key file, common for
//! HAProxy and Proxmox) is refused, as a ConfigMap is readable by anyone who reads the
//! namespace's ConfigMaps.

/// A private key block found in a CA file.
#[derive(Debug, PartialEq, Eq)]
pub struct PrivateKey {
    /// What follows `-----BEGIN ` (`RSA PRIVATE KEY`, `PRIVATE KEY`, …).
    pub label: String,
    /// Its 1-based line.
    pub line: usize,
}

/// The `CERTIFICATE` blocks of `text`, each with its `BEGIN` and `END` lines, joined by
/// newlines; empty if there are none. Text outside blocks (OpenSSL's `Bag Attributes`,
/// comments) and other blocks (parameters) are left out; a private key is an error.
pub fn certificates(text: &str) -> Result<String, PrivateKey> {
    let mut out = String::new();
    let mut block: Option<&str> = None; // the label of the block being read
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            if label.contains("PRIVATE KEY") {
                return Err(PrivateKey {
                    label: label.to_string(),
                    line: n + 1,
                });
            }
            block = Some(label);
        }
        if block == Some("CERTIFICATE") {
            out.push_str(line);
            out.push('\n');
        }
        if line.starts_with("-----END ") {
            block = None;
        }
    }
    Ok(out)
}

/// The blocks of a bundle that [`certificates`] made, each with its `BEGIN` and `END` lines.
pub fn blocks(bundle: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (at, _) in bundle.match_indices("-----END ") {
        let end = bundle[at..].find('\n').map_or(bundle.len(), |n| at + n + 1);
        out.push(&bundle[start..end]);
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    #[test]
    fn keeps_certificates_and_drops_the_rest() {
        let text = format!(
            "Bag Attributes\n{CERT}-----BEGIN DH PARAMETERS-----\nMAAA\n-----END DH PARAMETERS-----\r\n{CERT}"
        );
        assert_eq!(certificates(&text).unwrap(), format!("{CERT}{CERT}"));
        assert_eq!(certificates("no blocks").unwrap(), "");
    }

    #[test]
    fn splits_a_bundle_into_its_blocks() {
        let other = CERT.replace("MIIB", "MIIC");
        let bundle = certificates(&format!("{CERT}junk\n{other}")).unwrap();
        assert_eq!(blocks(&bundle), vec![CERT, other.as_str()]);
        assert!(blocks("").is_empty());
    }

    #[test]
    fn refuses_every_kind_of_private_key() {
        for label in [
            "PRIVATE KEY",
            "RSA PRIVATE KEY",
            "EC PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY",
        ] {
            let text = format!("{CERT}\n-----BEGIN {label}-----\nMIIE\n-----END {label}-----\n");
            assert_eq!(
                certificates(&text),
                Err(PrivateKey {
                    label: label.into(),
                    line: 5
                })
            );
        }
    }
}
