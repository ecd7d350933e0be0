//! Where attachments' contents live: a directory (`--files-dir`, by default beside the SQLite
//! database) holding each content once under its SHA-256 (`ab/abcdef...`), thumbnails under
//! `thumbs/`, and uploads in progress under `tmp/`. Never in the web root; names on disk are
//! hashes, never what a client sent.
//!
//! An upload is written to `tmp/` as it arrives ([`Upload::write`]), hashed on the way and
//! counted against the limit, so a file is never held whole in memory and an oversize one is
//! refused as soon as it passes the limit; its type comes from its first bytes. [`Files::keep`]
//! moves it into place (or drops it when that content is already there) and makes a JPEG
//! thumbnail of an image.

use super::super::ServiceError;
use dcms_domain::FileType;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokio::io::AsyncWriteExt;

/// Thumbnails fit in this square (pixels).
const THUMB_SIZE: u32 = 320;

/// The directory of attachments' contents.
#[derive(Debug, Clone)]
pub struct Files {
    root: PathBuf,
}

fn io(what: &str, path: &Path, e: std::io::Error) -> ServiceError {
    ServiceError::Internal(format!("{what} {}: {e}", path.display()))
}

/// A content's hash: 64 lower-case hex digits, so it is safe as a path.
fn valid_hash(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Files {
    pub fn new(root: impl Into<PathBuf>) -> Files {
        Files { root: root.into() }
    }

    /// The default directory for a database URL: `PATH.files` beside a SQLite file (so a
    /// backup `FILE` keeps its files in `FILE.files`), `dcms-files` in the working directory
    /// for a database server.
    pub fn default_dir(database_url: &str) -> PathBuf {
        let sqlite_path = database_url
            .strip_prefix("sqlite://")
            .or_else(|| database_url.strip_prefix("sqlite:"))
            .map(|rest| rest.split('?').next().unwrap_or(rest));
        match sqlite_path {
            Some(path) if !path.is_empty() && !path.contains(":memory:") => {
                PathBuf::from(format!("{path}.files"))
            }
            _ => PathBuf::from("dcms-files"),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where a content is (or would be) kept.
    pub fn content_path(&self, sha256: &str) -> Result<PathBuf, ServiceError> {
        if !valid_hash(sha256) {
            return Err(ServiceError::Internal(format!("bad content hash {sha256}")));
        }
        Ok(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Where a content's thumbnail is (or would be) kept.
    pub fn thumbnail_path(&self, sha256: &str) -> Result<PathBuf, ServiceError> {
        if !valid_hash(sha256) {
            return Err(ServiceError::Internal(format!("bad content hash {sha256}")));
        }
        Ok(self
            .root
            .join("thumbs")
            .join(&sha256[..2])
            .join(format!("{sha256}.jpg")))
    }

    /// Starts receiving an upload of at most `limit` bytes.
    pub async fn upload(&self, limit: u64) -> Result<Upload, ServiceError> {
        let dir = self.root.join("tmp");
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| io("cannot create", &dir, e))?;
        let name = format!("{:032x}", rand::random::<u128>());
        let path = dir.join(name);
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| io("cannot create", &path, e))?;
        Ok(Upload {
            temp: TempFile(Some(path)),
            file,
            hasher: Sha256::new(),
            head: Vec::with_capacity(FileType::SNIFF_LEN),
            size: 0,
            limit,
        })
    }

    /// Moves a received upload into place under its hash (a content already kept is kept
    /// once) and makes its thumbnail when it is an image; whether it has one.
    pub async fn keep(&self, received: Received) -> Result<bool, ServiceError> {
        let path = self.content_path(&received.sha256)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| io("cannot create", dir, e))?;
        }
        let mut temp = received.temp;
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            drop(temp);
        } else if let Some(from) = temp.0.take() {
            tokio::fs::rename(&from, &path)
                .await
                .map_err(|e| io("cannot move the upload to", &path, e))?;
        }
        if !received.file_type.is_image() {
            return Ok(false);
        }
        let thumb = self.thumbnail_path(&received.sha256)?;
        if tokio::fs::try_exists(&thumb).await.unwrap_or(false) {
            return Ok(true);
        }
        let made = tokio::task::spawn_blocking(move || make_thumbnail(&path, &thumb))
            .await
            .map_err(|e| ServiceError::Internal(format!("thumbnail task: {e}")))?;
        match made {
            Ok(()) => Ok(true),
            Err(e) => {
                // A picture the decoder cannot read is kept without a thumbnail.
                tracing::warn!(sha256 = %received.sha256, error = %e, "no thumbnail");
                Ok(false)
            }
        }
    }

    /// Removes a content and its thumbnail (an admin's purge); missing files are fine.
    pub async fn remove(&self, sha256: &str) -> Result<(), ServiceError> {
        for path in [self.content_path(sha256)?, self.thumbnail_path(sha256)?] {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io("cannot remove", &path, e)),
            }
        }
        Ok(())
    }
}

/// A JPEG thumbnail of the picture at `from`, written to `to` (through a temporary name).
fn make_thumbnail(from: &Path, to: &Path) -> Result<(), String> {
    let mut reader = image::ImageReader::open(from)
        .map_err(|e| e.to_string())?
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(20_000);
    limits.max_image_height = Some(20_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let picture = reader.decode().map_err(|e| e.to_string())?;
    let small = picture.thumbnail(THUMB_SIZE, THUMB_SIZE).into_rgb8();
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    let partial = to.with_extension("partial");
    {
        let file = std::fs::File::create(&partial).map_err(|e| e.to_string())?;
        let mut out = std::io::BufWriter::new(file);
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&small)
            .map_err(|e| e.to_string())?;
    }
    std::fs::rename(&partial, to).map_err(|e| e.to_string())
}

/// A temporary file removed when dropped (an upload refused or abandoned leaves nothing).
#[derive(Debug)]
struct TempFile(Option<PathBuf>);

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// An upload being received.
#[derive(Debug)]
pub struct Upload {
    temp: TempFile,
    file: tokio::fs::File,
    hasher: Sha256,
    head: Vec<u8>,
    size: u64,
    limit: u64,
}

/// A whole upload, on disk, of a known type.
#[derive(Debug)]
pub struct Received {
    temp: TempFile,
    pub size: u64,
    pub sha256: String,
    pub file_type: FileType,
}

impl Upload {
    /// Writes the next chunk; past the limit: 413 (the partial file is removed).
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), ServiceError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(ServiceError::TooLarge {
                limit_mib: u32::try_from(self.limit / (1024 * 1024)).unwrap_or(u32::MAX),
            });
        }
        if self.head.len() < FileType::SNIFF_LEN {
            let take = (FileType::SNIFF_LEN - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        let path = self.temp.0.clone().unwrap_or_default();
        self.file
            .write_all(chunk)
            .await
            .map_err(|e| io("cannot write", &path, e))
    }

    /// The upload complete and flushed: its size, hash and type (another type: 415).
    pub async fn finish(self) -> Result<Received, ServiceError> {
        let path = self.temp.0.clone().unwrap_or_default();
        self.file
            .sync_all()
            .await
            .map_err(|e| io("cannot write", &path, e))?;
        let file_type = FileType::sniff(&self.head).ok_or(ServiceError::UnsupportedType(
            "DCMS keeps JPEG, PNG and WebP pictures, PDF documents and DICOM images",
        ))?;
        let sha256 = self
            .hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Received {
            temp: self.temp,
            size: self.size,
            sha256,
            file_type,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_directories() {
        assert_eq!(
            Files::default_dir("sqlite:///var/lib/dcms/dcms.db?mode=rwc"),
            PathBuf::from("/var/lib/dcms/dcms.db.files")
        );
        assert_eq!(
            Files::default_dir("sqlite://dcms.db"),
            PathBuf::from("dcms.db.files")
        );
        assert_eq!(
            Files::default_dir("postgres://x@y/db"),
            PathBuf::from("dcms-files")
        );
        assert!(valid_hash(&"a".repeat(64)) && !valid_hash("../etc/passwd"));
    }
}
