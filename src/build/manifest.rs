//! The manifest in the output folder: what each document was built from
//! (its stamp: inputs, genre, templates, formats, typesetting, date) and
//! what it wrote, and which source owns each output; the keys its paths
//! are written under; the stamp of a document as loaded, and as re-read
//! from its last build's inputs without parsing them.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diag::Diagnostic;
use crate::i18n;
use crate::load;
use crate::tr;
use crate::write::{Format, Typesetting};

use super::Batch;
use super::fs::{digest_plain, folder_of, read_plain_checked, write_atomic};

/// The output path for a data file: `out_dir/<stem>.<ext>`, the stem taken
/// as it is (a name that is not UTF-8 stays distinct, never made lossy).
pub fn output_path(out_dir: &Path, input: &Path, ext: &str) -> PathBuf {
    let mut name = input
        .file_stem()
        .map(OsStr::to_os_string)
        .unwrap_or_else(|| "report".into());
    name.push(".");
    name.push(ext);
    out_dir.join(name)
}

/// A path as manifest text: bytes that are not UTF-8 are written `\xNN` and
/// `\` as `\\`, so distinct paths never share a key.
pub(super) fn path_key(path: &Path) -> String {
    let mut out = String::new();
    for chunk in path.as_os_str().as_encoded_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// `path` relative to `base` (both absolute): `../a/r.yaml`.
pub(super) fn relative_to(path: &Path, base: &Path) -> PathBuf {
    let p: Vec<_> = path.components().collect();
    let b: Vec<_> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out: PathBuf = b[common..].iter().map(|_| "..").collect();
    out.extend(&p[common..]);
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A source's manifest key: its folder's real path, relative to the output
/// folder's, and its own name, so one file has one key however its folder
/// is named on the command line, from wherever the build runs, and wherever
/// the project is moved. The name itself is kept: a link to a data file is
/// another source with outputs of its own name.
pub(super) fn file_key(path: &Path, base: &Path) -> String {
    let folder = std::fs::canonicalize(folder_of(path))
        .or_else(|_| std::path::absolute(folder_of(path)))
        .unwrap_or_else(|_| folder_of(path).to_path_buf());
    let real = folder.join(path.file_name().unwrap_or_default());
    path_key(&relative_to(&real, base))
}

/// An input's manifest key: the absolute path the loader read it by (links
/// not resolved, so a link pointed elsewhere reads the new target).
pub(super) fn input_key(path: &Path) -> String {
    path_key(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// The path a `path_key` was made from (`None` where it cannot be rebuilt).
pub(super) fn key_path(key: &str) -> Option<PathBuf> {
    let mut bytes = Vec::with_capacity(key.len());
    let mut rest = key.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'\\' {
            bytes.push(b);
        } else if let Some(tail) = rest.strip_prefix(b"\\") {
            bytes.push(b'\\');
            rest = tail;
        } else {
            rest.strip_prefix(b"x")?;
            let hex = std::str::from_utf8(rest.get(1..3)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = &rest[3..];
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        String::from_utf8(bytes).ok().map(PathBuf::from)
    }
}

/// An output's manifest key: its file name.
pub(super) fn output_key(path: &Path) -> String {
    path_key(Path::new(path.file_name().unwrap_or(path.as_os_str())))
}

/// A manifest key of a source as the user sees it: relative to the current
/// folder when it lies below it.
pub(super) fn shown_source(key: &str, base: &Path) -> String {
    let mut real = PathBuf::new();
    for c in base.join(key).components() {
        match c {
            std::path::Component::ParentDir => {
                real.pop();
            }
            std::path::Component::CurDir => {}
            c => real.push(c),
        }
    }
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    match cwd.and_then(|c| real.strip_prefix(c).ok().map(Path::to_path_buf)) {
        Some(r) => r.display().to_string(),
        None => real.display().to_string(),
    }
}

// ── The manifest ─────────────────────────────────────────────────────────

/// Whether `bytes` are a JSON object whose `version` is not this one.
pub(super) fn other_version(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Versioned {
        version: String,
    }
    serde_json::from_slice::<Versioned>(bytes).is_ok_and(|v| v.version != env!("CARGO_PKG_VERSION"))
}

/// The manifest's file name inside the output folder.
pub const MANIFEST: &str = ".zongjie-manifest.json";

/// Largest manifest read (a larger one is ignored: everything is rebuilt).
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// What the documents built into one output folder were built from and
/// what they wrote. Keyed by the source data file (`file_key`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The zongjie version that wrote it (another version rebuilds all).
    pub version: String,
    pub documents: BTreeMap<String, ManifestEntry>,
    /// Every data file found (`input_key`) → what finding the documents
    /// read from it, by the digest of its bytes (`inputs::documents_known`).
    #[serde(default)]
    pub scans: BTreeMap<String, Scan>,
}

/// What finding the documents read from one data file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// SHA-256 of the file's bytes.
    pub digest: String,
    /// It has a body of its own (a document even when imported).
    pub body: bool,
    /// The files its `imports:` name, as written.
    pub imports: Vec<String>,
}

/// Everything a document's outputs were made from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The data file and its imports (`input_key`) → SHA-256 of the text
    /// exactly as it was parsed for this build.
    pub inputs: BTreeMap<String, String>,
    /// The genre the data named (it chooses the templates).
    pub genre: String,
    /// Every template the document can load → SHA-256 of its text.
    pub templates: BTreeMap<String, String>,
    pub formats: Vec<Format>,
    pub strict: bool,
    /// SHA-256 of the profile as loaded and of the fonts' bytes (PDF).
    pub typesetting: String,
    /// `SOURCE_DATE_EPOCH` when a PDF is built (it dates the PDF).
    pub source_date_epoch: Option<u64>,
}

/// One document's last build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub stamp: Stamp,
    /// Output file name → SHA-256 of the bytes this build wrote.
    pub outputs: BTreeMap<String, String>,
    /// Output file name → what the file system said about it when its
    /// bytes were last known to be those (see [`Seen`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub seen: BTreeMap<String, Seen>,
}

/// An output file's identity and change times, and when they were read.
///
/// Any write to a file, and any rename onto its name, changes its change
/// time (ctime), which no ordinary tool can set back; so a file whose
/// device, inode, size, mtime and ctime are all as recorded still holds
/// the bytes it held then. The record only counts once it was read at
/// least [`SETTLED_NS`] after the ctime it shows: a write in the same clock
/// tick as the record would leave the times unchanged, so until then the
/// file is hashed (as git treats "racily clean" entries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    pub dev: u64,
    pub ino: u64,
    pub len: u64,
    /// Modification and change time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    /// When these were read, nanoseconds since the epoch.
    pub read_ns: i64,
}

/// How long after a file's last change its times are trusted to tell
/// every later change (coarse file-system clocks tick in up to 2 s).
pub const SETTLED_NS: i64 = 3_000_000_000;

impl Seen {
    /// The file at `path` now (not following a symbolic link), or `None`
    /// where it is not a regular file or the system has no ctime and inode.
    pub fn of(path: &Path) -> Option<Seen> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let read_ns = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .ok()
                .and_then(|d| i64::try_from(d.as_nanos()).ok())?;
            let m = std::fs::symlink_metadata(path).ok()?;
            if !m.is_file() {
                return None;
            }
            let ns = |s: i64, n: i64| s.checked_mul(1_000_000_000)?.checked_add(n);
            Some(Seen {
                dev: m.dev(),
                ino: m.ino(),
                len: m.len(),
                mtime_ns: ns(m.mtime(), m.mtime_nsec())?,
                ctime_ns: ns(m.ctime(), m.ctime_nsec())?,
                read_ns,
            })
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            None
        }
    }

    /// Whether `now` shows the same file, unchanged since this record was
    /// read, and the record was read late enough to tell (see [`Seen`]).
    pub fn vouches_for(&self, now: &Seen) -> bool {
        let same = (self.dev, self.ino, self.len, self.mtime_ns, self.ctime_ns)
            == (now.dev, now.ino, now.len, now.mtime_ns, now.ctime_ns);
        same && self.read_ns.saturating_sub(self.ctime_ns) >= SETTLED_NS
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

impl Manifest {
    /// The folder's manifest; empty when there is none or another version
    /// wrote it. One that cannot be read (not a plain file, too large, not
    /// a manifest) is an error: without it, outputs another data file wrote
    /// would be overwritten without the refusal.
    pub fn read(out_dir: &Path) -> Result<Manifest, Diagnostic> {
        let path = out_dir.join(MANIFEST);
        if std::fs::symlink_metadata(&path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            return Ok(Manifest::default());
        }
        let unreadable = |why: String| {
            Diagnostic::file_error(
                &path,
                tr!(
                    "cannot read the build manifest: {why}",
                    "无法读取生成记录（manifest）：{why}"
                ),
            )
            .with_hint(i18n::pick(
                "it records which data file wrote which output; remove it, or build with --force to rebuild everything and write a new one",
                "它记录哪个数据文件写出了哪些输出；请删除它，或加 `--force` 全部重新生成并写一份新的",
            ))
        };
        let bytes = read_plain_checked(&path, MAX_MANIFEST_BYTES).map_err(unreadable)?;
        let manifest = match serde_json::from_slice::<Manifest>(&bytes) {
            Ok(m) => m,
            // A manifest of another version may have another shape.
            Err(_) if other_version(&bytes) => return Ok(Manifest::default()),
            Err(e) => {
                return Err(unreadable(tr!(
                    "not a zongjie manifest ({e})",
                    "不是 zongjie 的生成记录（JSON：{e}）"
                )));
            }
        };
        Ok(if manifest.version == env!("CARGO_PKG_VERSION") {
            manifest
        } else {
            Manifest::default()
        })
    }

    pub fn write(&self, out_dir: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        write_atomic(&out_dir.join(MANIFEST), &json)
    }

    /// Output file name → the source that wrote it.
    pub(super) fn owners(&self) -> BTreeMap<&str, &str> {
        self.documents
            .iter()
            .flat_map(|(source, e)| e.outputs.keys().map(move |o| (o.as_str(), source.as_str())))
            .collect()
    }

    /// Records `entry` for `source`; outputs it took over from another
    /// source (`--force`) are no longer that source's.
    pub(super) fn record(&mut self, source: String, entry: ManifestEntry) {
        for (other, e) in self.documents.iter_mut() {
            if *other != source {
                e.outputs.retain(|o, _| !entry.outputs.contains_key(o));
            }
        }
        self.documents
            .retain(|other, e| *other == source || !e.outputs.is_empty());
        self.documents.insert(source, entry);
    }
}

/// Digest of what typesetting depends on: the profile as loaded and, for
/// PDFs and HTML pages, the font set (faces, roles and every font file's bytes).
pub(super) fn typesetting_digest(t: &Typesetting) -> String {
    let mut hasher = Sha256::new();
    hasher.update(serde_json::to_vec(&t.profile).unwrap_or_default());
    if let Some(fonts) = &t.fonts {
        hasher.update(crate::fonts::describe_in(fonts, crate::i18n::Lang::En).as_bytes());
        let mut seen: Vec<*const u8> = Vec::new();
        // Bundled faces are part of the binary (its version is recorded).
        let files = fonts
            .faces
            .iter()
            .filter(|f| f.source != crate::fonts::FontSource::Bundled);
        for face in files {
            let bytes = (*face.data).as_ref();
            if !seen.contains(&bytes.as_ptr()) {
                seen.push(bytes.as_ptr());
                hasher.update(Sha256::digest(bytes));
            }
        }
    }
    hex(&hasher.finalize())
}

/// Everything a document's outputs will be made from, from the files
/// exactly as they were loaded.
pub(super) fn stamp(batch: &Batch, loaded: &load::Loaded, genre: &str, typesetting: &str) -> Stamp {
    let mut inputs = BTreeMap::new();
    let mut todo = vec![loaded];
    while let Some(file) = todo.pop() {
        let key = input_key(&file.source.path);
        if inputs.contains_key(&key) {
            continue;
        }
        inputs.insert(key, sha256_hex(file.source.text.as_bytes()));
        todo.extend(file.imports.values().map(|l| &**l));
    }
    stamp_of(batch, inputs, genre, typesetting)
}

/// The stamp a document has if its inputs are still the files its last
/// build loaded: each re-read by the path the loader used, decoded as it
/// decodes, and digested. The loader is a function of those texts and
/// paths, so when this equals the last stamp the document would parse the
/// same, and it is not parsed again (`None`: an input cannot be read).
pub(super) fn restamp(batch: &Batch, previous: &Stamp, typesetting: &str) -> Option<Stamp> {
    let mut inputs = BTreeMap::new();
    for key in previous.inputs.keys() {
        let path = key_path(key)?;
        let bytes = crate::files::read(&path, crate::files::Kind::Data).ok()?;
        let text = load::decode(&path, &bytes).ok()?;
        inputs.insert(key.clone(), sha256_hex(text.as_bytes()));
    }
    Some(stamp_of(batch, inputs, &previous.genre, typesetting))
}

pub(super) fn stamp_of(
    batch: &Batch,
    inputs: BTreeMap<String, String>,
    genre: &str,
    typesetting: &str,
) -> Stamp {
    let request = batch.request;
    let own = request
        .formats
        .iter()
        .flat_map(|f| f.templates().iter().map(|n| n.to_string()));
    let mut templates = BTreeMap::new();
    for name in batch.templates.used_by(genre).into_iter().chain(own) {
        if let Some((_, text)) = batch.templates.sources.get(&name) {
            templates.insert(name, sha256_hex(text.as_bytes()));
        }
    }
    let dated = request.formats.iter().any(|f| f.dated());
    Stamp {
        inputs,
        genre: genre.to_string(),
        templates,
        formats: request.formats.clone(),
        strict: request.strict,
        typesetting: typesetting.to_string(),
        source_date_epoch: batch.epoch.filter(|_| dated),
    }
}

/// Whether every output is on disk with the digest its last build wrote:
/// `None` when one is not, else the entry with what the file system says
/// of each output now. An output whose record vouches for it (see
/// [`Seen`]) is not read; every other one is hashed, and its record
/// renewed only when its bytes are the ones written.
pub(super) fn outputs_intact(
    previous: &ManifestEntry,
    outputs: &[PathBuf],
) -> Option<ManifestEntry> {
    if outputs.len() != previous.outputs.len() {
        return None;
    }
    let mut entry = previous.clone();
    for o in outputs {
        let key = output_key(o);
        let digest = previous.outputs.get(&key)?;
        let now = Seen::of(o);
        let vouched = match (previous.seen.get(&key), &now) {
            (Some(then), Some(now)) => then.vouches_for(now),
            _ => false,
        };
        if !vouched {
            // Read before hashing: a change while hashing shows next time.
            if digest_plain(o).as_ref() != Some(digest) {
                return None;
            }
            match now {
                Some(now) => entry.seen.insert(key, now),
                None => entry.seen.remove(&key),
            };
        }
    }
    Some(entry)
}

pub(super) fn taken(
    batch: &Batch,
    source: &str,
    input: &Path,
    outputs: &[PathBuf],
) -> Option<Diagnostic> {
    let owners = batch.manifest.owners();
    let (out, owner) = outputs.iter().find_map(|out| {
        let owner = *owners.get(output_key(out).as_str())?;
        (owner != source).then_some((out, owner))
    })?;
    let owner = shown_source(owner, &batch.base);
    let file = input;
    let (out, input) = (out.display(), input.display());
    Some(
        Diagnostic::file_error(
            file,
            tr!(
                "{out} was written by {owner}; building {input} would overwrite it",
                "{out} 是由 {owner} 生成的；生成 {input} 会覆盖它"
            ),
        )
        .with_hint(tr!(
            "two data files of the same name are built into one folder: give one of them another --out folder or another name; --force lets {input} take the outputs over (e.g. when {owner} was moved)",
            "两个同名的数据文件生成到了同一个文件夹：请给其中一个另指定 `--out` 文件夹或改名；加 `--force` 可让 {input} 接管这些输出（例如 {owner} 已被移走时）"
        )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_vouches_only_for_the_same_file_once_settled() {
        let then = Seen {
            dev: 1,
            ino: 2,
            len: 3,
            mtime_ns: 10,
            ctime_ns: 20,
            read_ns: 20 + SETTLED_NS,
        };
        let now = Seen {
            read_ns: then.read_ns + 99,
            ..then
        };
        assert!(then.vouches_for(&now));
        let early = Seen {
            read_ns: 20 + SETTLED_NS - 1,
            ..then
        };
        assert!(!early.vouches_for(&now), "read in the tick of the change");
        let clock_back = Seen { read_ns: 5, ..then };
        assert!(!clock_back.vouches_for(&now));
        for other in [
            Seen { dev: 9, ..now },
            Seen { ino: 9, ..now },
            Seen { len: 9, ..now },
            Seen { mtime_ns: 9, ..now },
            Seen {
                ctime_ns: 21,
                ..now
            },
        ] {
            assert!(!then.vouches_for(&other), "{other:?}");
        }
    }

    #[test]
    fn manifest_keys_are_relative_to_the_output_folder_and_never_lossy() {
        assert_eq!(
            relative_to(Path::new("/p/a/r.yaml"), Path::new("/p/o")),
            Path::new("../a/r.yaml")
        );
        assert_eq!(
            relative_to(Path::new("/p/o/r.yaml"), Path::new("/p/o")),
            Path::new("r.yaml")
        );
        assert_eq!(path_key(Path::new("a\\b")), "a\\\\b");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let a = path_key(Path::new(OsStr::from_bytes(b"r\xff.yaml")));
            let b = path_key(Path::new(OsStr::from_bytes(b"r\xfe.yaml")));
            assert_eq!(a, "r\\xff.yaml");
            assert_ne!(a, b);
            // The escape of a real backslash never reads as a byte escape.
            assert_ne!(path_key(Path::new("r\\xff.yaml")), a);
            for name in [
                b"r\xff.yaml".as_slice(),
                b"a\\xff\\\\b",
                "报告.yaml".as_bytes(),
            ] {
                let path = Path::new(OsStr::from_bytes(name));
                assert_eq!(key_path(&path_key(path)).as_deref(), Some(path));
            }
        }
    }
}
