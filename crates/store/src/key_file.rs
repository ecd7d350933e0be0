//! A 32-byte secret kept in a file (64 hexadecimal digits and a newline, mode 0600): the audit
//! chain's HMAC key and DCMS HQ's key for the clinics' session tokens. Read when it exists,
//! created with a fresh random key when it does not; a file that exists but does not hold
//! exactly a key is an error and is never replaced (a new key would make what the old one
//! protects unreadable or unverifiable).

use crate::StoreError;
use std::io::Write;
use std::path::Path;

/// Reads the key file at `path`, or creates it. `what` names the key in messages ("audit",
/// "HQ").
pub fn load_or_create(path: &Path, what: &str) -> Result<[u8; 32], StoreError> {
    match std::fs::read_to_string(path) {
        Ok(text) => return parse(path, what, &text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(error(path, what, "cannot read", e)),
    }
    let key = generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        // Another process created it between our read and our create: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text =
                std::fs::read_to_string(path).map_err(|e| error(path, what, "cannot read", e))?;
            return parse(path, what, &text);
        }
        Err(e) => return Err(error(path, what, "cannot create", e)),
    };
    file.write_all(format!("{}\n", to_hex(&key)).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| error(path, what, "cannot write", e))?;
    tracing::info!(path = %path.display(), "created a new {what} key file");
    Ok(key)
}

/// A fresh random key from the operating system's generator.
pub fn generate() -> [u8; 32] {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

fn parse(path: &Path, what: &str, text: &str) -> Result<[u8; 32], StoreError> {
    let digits = text.strip_suffix('\n').unwrap_or(text);
    let digits = digits.strip_suffix('\r').unwrap_or(digits);
    let bytes = from_hex(digits)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| {
            StoreError::Config(format!(
                "{what} key file {} must hold exactly 64 hexadecimal digits; refusing to \
                 replace it (restore the original key file)",
                path.display()
            ))
        })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                path = %path.display(),
                "the {what} key file is readable by other users; make it mode 0600"
            );
        }
    }
    Ok(bytes)
}

fn error(path: &Path, what: &str, doing: &str, err: std::io::Error) -> StoreError {
    StoreError::Config(format!("{doing} {what} key file {}: {err}", path.display()))
}

/// Lower-case hexadecimal digits of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// The bytes of a string of hexadecimal digits (either case); None if it is not one.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let hi = char::from(pair[0]).to_digit(16)?;
            let lo = char::from(pair[1]).to_digit(16)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}
