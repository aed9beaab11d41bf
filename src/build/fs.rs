//! The batch's file system work, the only place that writes files: all or
//! nothing writes through temp files renamed into place, our stale temp
//! files removed, regular files opened without following links or blocking,
//! the output folder's lock, and the guards against overwriting an input, a
//! template or a name too long.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diag::Diagnostic;
use crate::i18n;
use crate::render::Templates;
use crate::tr;

use super::manifest::hex;

/// Temp files are `.zongjie-`, 12 random letters and digits, `.tmp`: short
/// whatever the output is called, unpredictable, and recognisably ours.
const TEMP_PREFIX: &str = ".zongjie-";
const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RANDOM: usize = 12;

/// The longest file name most file systems allow, in bytes.
pub(super) const MAX_NAME_BYTES: usize = 255;

pub(super) fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// `bytes` written in full and flushed to a new temp file next to `target`.
/// The temp file is created exclusively under a random name, so nothing
/// planted under a predictable name (a link) is ever opened. A target that
/// is a regular file lends the temp file its permissions (on Unix: a
/// Windows file has only a read-only flag, and a read-only temp file could
/// be neither renamed over its target nor removed).
pub(super) fn stage(target: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    use std::io::Write;
    let dir = folder_of(target);
    std::fs::create_dir_all(dir)?;
    let kept = std::fs::symlink_metadata(target)
        .ok()
        .filter(|m| cfg!(unix) && m.is_file())
        .map(|m| m.permissions());
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As for any new file: read-write for everyone, less the umask.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut temp = builder.tempfile_in(dir)?;
    temp.write_all(bytes)?;
    if let Some(permissions) = kept {
        temp.as_file().set_permissions(permissions)?;
    }
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// Writes every file or none: each is written in full to a temp file in its
/// target's folder, and only when all are written are they renamed over
/// their targets (a link at a target is replaced, never followed). On a
/// failure the temp files are removed and no target is touched; the error
/// names the file that failed.
pub fn write_all_or_nothing(files: &[(&Path, &[u8])]) -> Result<(), (PathBuf, std::io::Error)> {
    let mut staged = Vec::with_capacity(files.len());
    for (target, bytes) in files {
        let temp = stage(target, bytes).map_err(|e| (target.to_path_buf(), e))?;
        staged.push((temp, *target));
    }
    // A folder in a target's place would fail its rename after the others.
    if let Some((_, target)) = staged
        .iter()
        .find(|(_, t)| std::fs::symlink_metadata(t).is_ok_and(|m| m.is_dir()))
    {
        return Err((
            target.to_path_buf(),
            std::io::Error::other(i18n::pick(
                "a folder is in the way",
                "同名的文件夹占着这个位置",
            )),
        ));
    }
    for (temp, target) in staged {
        temp.persist(target)
            .map_err(|e| (target.to_path_buf(), e.error))?;
    }
    Ok(())
}

/// Writes one file atomically: a temp file in the same folder, flushed, then
/// renamed over the target. Creates the folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_all_or_nothing(&[(path, bytes)]).map_err(|(_, e)| e)
}

/// Whether a file name is one of our temp files (`.zongjie-XXXXXXXXXXXX.tmp`).
pub(super) fn is_our_temp(name: &OsStr) -> bool {
    name.to_str()
        .and_then(|n| n.strip_prefix(TEMP_PREFIX))
        .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|r| r.len() == TEMP_RANDOM && r.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// Removes the temp files that builds killed between writing and renaming
/// left in `dir`: only regular files named as ours, and only under the
/// folder's lock, when no other build can be writing them. Errors are
/// ignored: a temp file left is harmless.
pub(super) fn remove_stale_temps(dir: &Path, _held: &OutputLock) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if is_our_temp(&entry.file_name()) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Opens a regular file for reading (and, with `create`, writing, made when
/// missing) without following a link and without blocking on a FIFO.
pub(super) fn open_plain(path: &Path, create: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if create {
        options.write(true).create(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(not_regular());
    }
    let file = options.open(path).map_err(|e| {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            std::io::Error::other(i18n::pick(
                "it is a symbolic link, not a regular file",
                "这是符号链接，不是普通文件",
            ))
        } else {
            e
        }
    })?;
    if !file.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(file)
}

/// A folder, a pipe or a device where a plain file was to be opened.
fn not_regular() -> std::io::Error {
    std::io::Error::other(i18n::pick(
        "not a regular file",
        "不是普通文件（是文件夹、管道或设备）",
    ))
}

/// A regular file's bytes when there are at most `cap` of them; else why not.
pub(super) fn read_plain_checked(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let file = open_plain(path, false).map_err(|e| i18n::io_error(&e))?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| i18n::io_error(&e))?;
    if bytes.len() as u64 > cap {
        let mib = cap >> 20;
        return Err(tr!("it is larger than {mib} MiB", "文件超过 {mib} MiB"));
    }
    Ok(bytes)
}

/// SHA-256 of a regular file's bytes, read in pieces (`None`: missing, not a
/// regular file, unreadable).
pub(super) fn digest_plain(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut file = open_plain(path, false).ok()?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(hex(&hasher.finalize()))
}

// ── The output folder's lock ─────────────────────────────────────────────

/// The lock file inside the output folder.
pub const LOCK: &str = ".zongjie.lock";

/// A lock on an output folder, held until dropped; the system releases it
/// when the process ends, however it ends.
pub struct OutputLock {
    file: Option<std::fs::File>,
    dir: PathBuf,
    /// This run made the folder.
    made_dir: bool,
}

impl OutputLock {
    /// For a build: creates the folder and locks it exclusively. `on_wait`
    /// is called once, before waiting, when another build holds the lock.
    pub fn exclusive(out_dir: &Path, on_wait: &dyn Fn()) -> Result<OutputLock, Diagnostic> {
        let made_dir = !out_dir.exists();
        let file = Self::take(out_dir, true, on_wait)?;
        Ok(OutputLock {
            file,
            dir: out_dir.to_path_buf(),
            made_dir,
        })
    }

    /// For `--check`: a shared lock, so no build changes the folder while it
    /// is compared. Nothing is created: without a lock file, no lock.
    pub fn shared(out_dir: &Path, on_wait: &dyn Fn()) -> Result<OutputLock, Diagnostic> {
        let file = Self::take(out_dir, false, on_wait)?;
        Ok(OutputLock {
            file,
            dir: out_dir.to_path_buf(),
            made_dir: false,
        })
    }

    fn take(
        out_dir: &Path,
        exclusive: bool,
        on_wait: &dyn Fn(),
    ) -> Result<Option<std::fs::File>, Diagnostic> {
        let path = out_dir.join(LOCK);
        let fail = |e: std::io::Error| {
            let e = i18n::io_error(&e);
            Diagnostic::file_error(
                &path,
                tr!(
                    "cannot lock the output folder: {e}",
                    "无法锁定输出文件夹：{e}"
                ),
            )
            .with_hint(i18n::pick(
                "builds into one folder take turns through this lock file; it must be a plain file (remove whatever is there)",
                "生成到同一文件夹的多次运行靠这个锁文件轮流写入，它必须是普通文件（请删除占着这个名字的东西）",
            ))
        };
        let mut waited = false;
        // A build that found nothing to keep removes the lock file it held;
        // whoever waited on it then locks the new one (bounded retries).
        for _ in 0..100 {
            if exclusive {
                std::fs::create_dir_all(out_dir).map_err(|e| {
                    let e = i18n::io_error(&e);
                    Diagnostic::file_error(
                        out_dir,
                        tr!(
                            "cannot create the output folder: {e}",
                            "无法创建输出文件夹：{e}"
                        ),
                    )
                })?;
            }
            let file = match open_plain(&path, exclusive) {
                Ok(f) => f,
                Err(e) if !exclusive && e.kind() == std::io::ErrorKind::NotFound => {
                    return Ok(None);
                }
                Err(e) => return Err(fail(e)),
            };
            let tried = if exclusive {
                file.try_lock()
            } else {
                file.try_lock_shared()
            };
            match tried {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !std::mem::replace(&mut waited, true) {
                        on_wait();
                    }
                    let locked = if exclusive {
                        file.lock()
                    } else {
                        file.lock_shared()
                    };
                    locked.map_err(fail)?;
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(fail(e)),
            }
            if still_at(&file, &path) {
                return Ok(Some(file));
            }
        }
        Err(fail(std::io::Error::other(i18n::pick(
            "the lock file keeps being replaced",
            "锁文件不断被替换",
        ))))
    }

    /// Ends the build's hold. A lock file left alone in the folder is
    /// removed (and the folder, when this run made it), so a build that
    /// wrote nothing leaves nothing; only where a waiting build can tell
    /// that the file it locked was removed (`still_at`).
    pub fn release(self) {
        let Some(file) = self.file else {
            return;
        };
        let alone = std::fs::read_dir(&self.dir).is_ok_and(|entries| {
            entries
                .flatten()
                .all(|e| e.file_name() == std::ffi::OsStr::new(LOCK))
        });
        if cfg!(unix) && alone && std::fs::remove_file(self.dir.join(LOCK)).is_ok() && self.made_dir
        {
            let _ = std::fs::remove_dir(&self.dir);
        }
        drop(file);
    }
}

/// Whether `path` still names the file `file` has open (not removed or
/// replaced meanwhile). Where that cannot be told, it is assumed, and
/// `release` never removes a lock file.
pub(super) fn still_at(file: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// An output name longer than a file name may be.
pub(super) fn name_too_long(input: &Path, outputs: &[PathBuf]) -> Option<Diagnostic> {
    let long = outputs
        .iter()
        .find(|o| o.file_name().is_some_and(|n| n.len() > MAX_NAME_BYTES))?;
    let name = long.file_name().unwrap_or_default().display();
    Some(
        Diagnostic::file_error(
            input,
            tr!(
                "the output name {name} is longer than the {MAX_NAME_BYTES} bytes a file name can have",
                "输出文件名 {name} 超过了文件名最多 {MAX_NAME_BYTES} 字节的限制"
            ),
        )
        .with_hint(i18n::pick(
            "shorten the data file's name",
            "请把数据文件的名字改短",
        )),
    )
}

/// An output of `input` that another source wrote (the manifest says so).
/// An output path must never be one of the inputs or a template file.
pub fn refuse_overwriting_inputs(
    out: &Path,
    inputs: &[PathBuf],
    templates: &Templates,
) -> Result<(), Diagnostic> {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let Some(target) = canonical(out) else {
        return Ok(());
    };
    let template_files = templates.sources.values().filter_map(|(o, _)| match o {
        crate::render::Origin::File(p) => Some(p.clone()),
        crate::render::Origin::Builtin => None,
    });
    for input in inputs.iter().cloned().chain(template_files) {
        if canonical(&input).as_ref() == Some(&target) {
            return Err(Diagnostic::file_error(
                out,
                i18n::pick(
                    "refusing to overwrite an input file with output",
                    "输出会覆盖一个输入文件，已拒绝写入",
                ),
            )
            .with_hint(i18n::pick(
                "choose another --out folder",
                "请用 `--out` 另选一个输出文件夹",
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_temp_names_are_recognised() {
        assert!(is_our_temp(OsStr::new(".zongjie-a1B2c3D4e5F6.tmp")));
        for other in [
            ".thesis.docx.4000000.tmp",
            ".a.md.1234.tmp",
            ".zongjie-short.tmp",
            ".zongjie-a1B2c3D4e5F6.tmp.bak",
            "zongjie-a1B2c3D4e5F6.tmp",
            ".zongjie-a1B2c3D4e5-6.tmp",
            ".zongjie-manifest.json",
        ] {
            assert!(!is_our_temp(OsStr::new(other)), "{other}");
        }
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = std::env::temp_dir().join(format!("zongjie-build-test-{}", std::process::id()));
        let path = dir.join("a.md");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
