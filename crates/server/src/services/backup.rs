//! What `dcms backup` copies besides the database: the attachments' contents. A SQLite
//! backup `FILE` keeps them in `FILE.files`, which is where a server started on `FILE` looks
//! by default, so restoring (starting on the copy, or copying both back) gives back both.

use std::io;
use std::path::Path;

/// What was copied.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub count: u64,
    pub bytes: u64,
}

/// Copies the attachments' directory `from` into `to` (made; uploads in progress under
/// `tmp/` left out). A missing `from` copies nothing.
pub fn copy_files(from: &Path, to: &Path) -> io::Result<Copied> {
    let mut copied = Copied::default();
    if !from.is_dir() {
        return Ok(copied);
    }
    if to.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} exists; a backup never overwrites", to.display()),
        ));
    }
    copy_dir(from, to, true, &mut copied)?;
    Ok(copied)
}

fn copy_dir(from: &Path, to: &Path, top: bool, copied: &mut Copied) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if top && name == "tmp" {
            continue;
        }
        let kind = entry.file_type()?;
        let target = to.join(&name);
        if kind.is_dir() {
            copy_dir(&entry.path(), &target, false, copied)?;
        } else if kind.is_file() {
            copied.bytes += std::fs::copy(entry.path(), &target)?;
            copied.count += 1;
        }
    }
    Ok(())
}

/// A size as people read it: `512 B`, `3.4 MiB`.
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size_text(10), "10 B");
        assert_eq!(size_text(3 * 1024 * 1024 + 400 * 1024), "3.4 MiB");
    }
}
