//! Reading input files safely: only regular files are read (a FIFO, device,
//! socket or folder is refused before anything can block), the size is
//! checked on the opened handle before reading, and every kind of input has
//! its own cap. Fonts the user names (profile `file:`, `--font-path`) are
//! read whole, so truncating one mid-build cannot crash the process; only
//! system fonts are memory-mapped.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::diag::Diagnostic;
use crate::i18n::{self, pick};
use crate::tr;

/// What an input file is for; each kind has its own size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Data,
    Template,
    Profile,
    Font,
}

impl Kind {
    /// The largest file of this kind that is read, in bytes.
    pub const fn cap(self) -> u64 {
        match self {
            Kind::Data => 8 << 20,
            Kind::Template => 1 << 20,
            Kind::Profile => 1 << 20,
            Kind::Font => 512 << 20,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Data => pick("data file", "数据文件"),
            Kind::Template => pick("template", "模板"),
            Kind::Profile => pick("layout profile", "版式配置"),
            Kind::Font => pick("font file", "字体文件"),
        }
    }

    fn too_large_hint(self) -> &'static str {
        match self {
            Kind::Data => pick(
                "a report's data file is normally well under 1 MiB; split very large tables into imported files",
                "一份报告的数据文件通常远小于 1 MiB；很大的表格请拆到单独的文件中再导入",
            ),
            Kind::Template => pick(
                "a template is normally a few KiB; is this the right file?",
                "模板通常只有几 KiB；请确认是不是选错了文件",
            ),
            Kind::Profile => pick(
                "a profile is normally a few KiB; `zongjie profile` prints every key",
                "版式配置通常只有几 KiB；运行 `zongjie profile` 可查看所有配置项",
            ),
            Kind::Font => pick(
                "use a single face (.ttf/.otf) rather than a large collection",
                "请使用单个字体文件（.ttf/.otf），不要用很大的字体集合",
            ),
        }
    }
}

/// The size cap of `kind` in words (`8 MiB`).
pub fn cap_words(kind: Kind) -> String {
    format!("{} MiB", kind.cap() >> 20)
}

/// Reads a regular file of at most `kind.cap()` bytes.
pub fn read(path: &Path, kind: Kind) -> Result<Vec<u8>, Diagnostic> {
    let (file, len) = open_regular(path, kind)?;
    let mut bytes = Vec::with_capacity(len as usize);
    // The file may grow after the size check: never read past the cap.
    file.take(kind.cap() + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(path, kind, &e))?;
    if bytes.len() as u64 > kind.cap() {
        return Err(too_large(path, kind));
    }
    Ok(bytes)
}

/// Reads a regular file as UTF-8 text (a BOM stripped, CRLF normalised).
pub fn read_text(path: &Path, kind: Kind) -> Result<String, Diagnostic> {
    let bytes = read(path, kind)?;
    crate::load::decode(path, &bytes)
}

/// Maps a regular file of at most `kind.cap()` bytes into memory (system
/// fonts: only the tables used are paged in). Files the user names are
/// `read` instead: a mapped file truncated by another process kills the
/// reader with SIGBUS.
pub fn map(path: &Path, kind: Kind) -> Result<memmap2::Mmap, Diagnostic> {
    let (file, _) = open_regular(path, kind)?;
    // SAFETY: the map is read-only; a font file truncated by another
    // process while mapped is outside what the tool can guard against (the
    // same holds for every program that maps fonts, fontdb included).
    unsafe { memmap2::Mmap::map(&file) }.map_err(|e| cannot(path, kind, &e))
}

/// The refusal of `path`, a file found (not named by the user) for the
/// project folder `project`, when its real path leads out of it (a link to
/// `/etc/passwd`). Checked before reading, so nothing outside is quoted;
/// where the link leads is not told either.
pub fn leads_outside(path: &Path, project: &Path, noun: &str) -> Option<Diagnostic> {
    let project = std::fs::canonicalize(project).ok()?;
    let real = std::fs::canonicalize(path).ok()?;
    if real.starts_with(&project) {
        return None;
    }
    let noun = match (i18n::zh(), noun) {
        (true, "profile") => "版式配置",
        (true, "template") => "模板",
        (true, "data file") => "数据文件",
        _ => noun,
    };
    Some(Diagnostic::file_error(
        path,
        tr!(
            "the {noun} {} leads outside the project ({}); a {noun} found there is read only from inside it",
            "{noun} {} 指向项目（{}）之外；自动找到的{noun}只有位于项目之内才会读取",
            path.display(),
            project.display()
        ),
    ))
}

/// What a path that is not a regular file is, in words (`None`: a regular
/// file). Follows symlinks, like opening does.
pub fn not_regular(meta: &std::fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some(pick("a folder", "文件夹"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some(pick("a named pipe (FIFO)", "命名管道（FIFO）"));
        }
        if t.is_socket() {
            return Some(pick("a socket", "套接字"));
        }
        if t.is_char_device() || t.is_block_device() {
            return Some(pick("a device", "设备"));
        }
    }
    Some(pick("not a regular file", "特殊文件"))
}

/// Opens `path` for reading without blocking (a FIFO could block `open`
/// itself), then checks on the opened handle that it is a regular file
/// within the cap. Returns the file and its size.
fn open_regular(path: &Path, kind: Kind) -> Result<(File, u64), Diagnostic> {
    // A first look without opening: the common refusals need no handle.
    let meta = std::fs::metadata(path).map_err(|e| cannot(path, kind, &e))?;
    if let Some(what) = not_regular(&meta) {
        return Err(refused(path, kind, what));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // The path may have been swapped for a FIFO since the look above.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(|e| cannot(path, kind, &e))?;
    let meta = file.metadata().map_err(|e| cannot(path, kind, &e))?;
    if let Some(what) = not_regular(&meta) {
        return Err(refused(path, kind, what));
    }
    if meta.len() > kind.cap() {
        return Err(too_large(path, kind));
    }
    Ok((file, meta.len()))
}

fn cannot(path: &Path, kind: Kind, e: &std::io::Error) -> Diagnostic {
    let hint = match e.kind() {
        std::io::ErrorKind::NotFound => pick(
            "check the path (relative paths start at the current folder)",
            "请检查路径（相对路径从当前文件夹算起）",
        ),
        std::io::ErrorKind::PermissionDenied => pick(
            "the file's permissions do not let you read it",
            "这个文件的权限不允许您读取",
        ),
        _ if cfg!(unix) && e.raw_os_error() == Some(eloop()) => pick(
            "a symbolic link points to itself or in a circle; remove the link",
            "有一个符号链接指向自己或绕成了圈；请删除这个链接",
        ),
        _ => pick(
            "check that the file exists and is readable",
            "请确认文件存在并且可以读取",
        ),
    };
    Diagnostic::file_error(
        path,
        tr!(
            "cannot read {}: {}",
            "无法读取{}：{}",
            kind.noun(),
            i18n::io_error(e)
        ),
    )
    .with_hint(hint)
}

/// The error number of a symlink loop.
fn eloop() -> i32 {
    #[cfg(unix)]
    return libc::ELOOP;
    #[cfg(not(unix))]
    return -1;
}

fn refused(path: &Path, kind: Kind, what: &str) -> Diagnostic {
    Diagnostic::file_error(
        path,
        tr!(
            "{} is {what}, not a regular file; only regular files are read as a {}",
            "{} 是{what}，不是普通文件；只有普通文件才会当作{}读取",
            path.display(),
            kind.noun()
        ),
    )
    .with_hint(tr!(
        "replace it with a regular file (the {} itself), or remove it",
        "请换成普通文件（即{}本身），或者把它删除",
        kind.noun()
    ))
}

/// The refusal of a file over the cap of `kind`.
pub fn too_large(path: &Path, kind: Kind) -> Diagnostic {
    Diagnostic::file_error(
        path,
        tr!("file is larger than {}", "文件大于 {}", cap_words(kind)),
    )
    .with_hint(tr!(
        "the limit for a {} is {}; {}",
        "{}最大 {}；{}",
        kind.noun(),
        cap_words(kind),
        kind.too_large_hint()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("zongjie-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn regular_files_are_read_and_folders_refused() {
        let dir = temp("regular");
        let file = dir.join("a.yaml");
        std::fs::write(&file, "doc: {}\n").unwrap();
        assert_eq!(read(&file, Kind::Data).unwrap(), b"doc: {}\n");
        let d = read(&dir, Kind::Data).unwrap_err();
        assert!(
            d.message.contains("is a folder, not a regular file"),
            "{}",
            d.message
        );
        let d = read(&dir.join("missing.yaml"), Kind::Template).unwrap_err();
        assert!(
            d.message.starts_with("cannot read template:"),
            "{}",
            d.message
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_size_is_checked_before_reading() {
        let dir = temp("sparse");
        let file = dir.join("big.yaml");
        // Sparse: 2 GiB long, no blocks written; reading it would take 2 GiB.
        std::fs::File::create(&file)
            .unwrap()
            .set_len(2 << 30)
            .unwrap();
        let d = read(&file, Kind::Data).unwrap_err();
        assert_eq!(d.message, "file is larger than 8 MiB");
        assert!(d.hint.unwrap().contains("limit for a data file is 8 MiB"));
        std::fs::File::create(&file)
            .unwrap()
            .set_len(Kind::Profile.cap() + 1)
            .unwrap();
        assert!(read(&file, Kind::Profile).is_err());
        assert!(map(&file, Kind::Font).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        let d = read(Path::new("/dev/zero"), Kind::Data).unwrap_err();
        assert!(d.message.contains("is a device"), "{}", d.message);
        let dir = temp("fifo");
        let fifo = dir.join("pipe.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let d = read(&fifo, Kind::Data).unwrap_err();
            assert!(d.message.contains("a named pipe (FIFO)"), "{}", d.message);
            let d = map(&fifo, Kind::Font).unwrap_err();
            assert!(
                d.message
                    .contains("only regular files are read as a font file")
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
