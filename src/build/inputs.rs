//! Finding the documents among the inputs: data files as given, folders
//! walked (each real folder once, bounded, symlinks kept inside), files
//! that other files import told apart from documents, outputs that would
//! collide, and the share of a `--shard K/N`.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diag::Diagnostic;
use crate::i18n;
use crate::load;
use crate::tr;

use super::manifest::{Scan, input_key, sha256_hex};
use crate::write::typesetting::is_profile_file;

/// Most directory entries a folder walk looks at, over all input folders.
pub const MAX_WALK_ENTRIES: usize = 100_000;

/// The data files named by the inputs: files as given, folders searched
/// for `*.yaml` / `*.yml` in any case (sorted; hidden entries and profile
/// files skipped). Each real folder is walked once, so symlinks to a
/// parent or in a circle add nothing, and a file reached along two paths
/// is kept once; a symlink leading out of the input folders is an error,
/// as is a folder without data files.
pub fn find_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    let mut walk = Walk {
        project: load::ImportScope::of_inputs(inputs, &[]),
        seen: BTreeSet::new(),
        entries: 0,
        limit: MAX_WALK_ENTRIES,
    };
    for input in inputs {
        if input.is_dir() {
            let before = out.len();
            walk.folder(input, &mut out)?;
            if out.len() == before {
                let folder = input.display();
                return Err(Diagnostic::file_error(
                    input,
                    tr!("no data files in {folder}", "{folder} 中没有数据文件"),
                )
                .with_hint(i18n::pick(
                    "put the report's data files (*.yaml) there, or run `zongjie init` for templates and see docs/data-format.md",
                    "请把报告的数据文件（*.yaml）放到这里；模板可运行 `zongjie init` 生成，数据格式见 docs/data-format.md",
                )));
            }
        } else if std::fs::symlink_metadata(input).is_ok() {
            out.push(input.clone());
        } else {
            return Err(Diagnostic::file_error(
                input,
                i18n::pick("no such file or folder", "没有这个文件或文件夹"),
            )
            .with_hint(i18n::pick(
                "give a data file (.yaml) or a folder of them; the default is data/",
                "请指定一个数据文件（.yaml）或存放数据文件的文件夹；不指定时使用 data/",
            )));
        }
    }
    out.sort();
    out.dedup();
    // The same name in the same real folder, reached along two paths (a
    // folder symlink, `./x` and `x`), is one document; a link to a data
    // file under another name is a document of its own (its own outputs).
    let mut seen = BTreeSet::new();
    out.retain(|p| {
        let folder = p.parent().filter(|d| !d.as_os_str().is_empty());
        let real = std::fs::canonicalize(folder.unwrap_or(Path::new(".")));
        seen.insert((
            real.unwrap_or_else(|_| p.clone()),
            p.file_name().map(|n| n.to_owned()),
        ))
    });
    Ok(out)
}

/// A walk of the input folders: the real folders seen and the entries
/// looked at.
struct Walk {
    /// The input folders (real paths): symlinks may not lead out of them.
    project: load::ImportScope,
    seen: BTreeSet<PathBuf>,
    entries: usize,
    /// Most entries looked at (`MAX_WALK_ENTRIES`).
    limit: usize,
}

impl Walk {
    /// Adds the data files under `root` to `out`, without recursion.
    fn folder(&mut self, root: &Path, out: &mut Vec<PathBuf>) -> Result<(), Diagnostic> {
        let mut pending = vec![root.to_path_buf()];
        while let Some(dir) = pending.pop() {
            let Ok(real) = std::fs::canonicalize(&dir) else {
                continue;
            };
            if !self.seen.insert(real) {
                continue;
            }
            let read = std::fs::read_dir(&dir).map_err(|e| {
                let e = i18n::io_error(&e);
                Diagnostic::file_error(&dir, tr!("cannot read folder: {e}", "无法读取文件夹：{e}"))
                    .with_hint(i18n::pick(
                        "check the folder's permissions",
                        "请检查这个文件夹的访问权限",
                    ))
            })?;
            let mut entries: Vec<(PathBuf, bool)> = Vec::new();
            for entry in read {
                self.entries += 1;
                if self.entries > self.limit {
                    let (limit, folder) = (self.limit, root.display());
                    return Err(Diagnostic::file_error(
                        root,
                        tr!(
                            "more than {limit} files and folders under {folder}",
                            "{folder} 下的文件和文件夹超过 {limit} 个"
                        ),
                    )
                    .with_hint(i18n::pick(
                        "give the folder that holds the data files (e.g. data/), not a folder above it",
                        "请指定直接存放数据文件的文件夹（如 data/），不要指定它上面的文件夹",
                    )));
                }
                if let Ok(entry) = entry {
                    let link = entry.file_type().is_ok_and(|t| t.is_symlink());
                    entries.push((entry.path(), link));
                }
            }
            entries.sort();
            let mut subfolders = Vec::new();
            for (path, link) in entries {
                let hidden = path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                if hidden {
                    continue;
                }
                let is_dir = path.is_dir();
                let is_data = !is_dir && load::is_data_file_name(&path) && !is_profile_file(&path);
                if link
                    && (is_dir || is_data)
                    && let Ok(target) = std::fs::canonicalize(&path)
                    && !self.project.allows(&target)
                {
                    let link = path.display();
                    return Err(Diagnostic::file_error(
                        &path,
                        tr!(
                            "{link} is a symbolic link leading out of the input folders",
                            "{link} 是符号链接，指向了输入文件夹以外的地方"
                        ),
                    )
                    .with_hint(i18n::pick(
                        "give what it points to on the command line as well, or copy it into the folder",
                        "请把它指向的文件或文件夹也写在命令行上，或把它复制到这个文件夹里",
                    )));
                }
                if is_dir {
                    subfolders.push(path);
                } else if is_data {
                    // A dangling or looping link is kept: reading it says why it fails.
                    out.push(path);
                }
            }
            // Depth first, in name order.
            pending.extend(subfolders.into_iter().rev());
        }
        Ok(())
    }
}

/// Which of the found files are documents to build. A file that another
/// found file imports is a data source, not a document, unless it has a
/// body of its own (parts, a task table, attachments or an intro).
/// Files that cannot be read or do not parse are kept, so their errors
/// are reported.
pub fn documents(files: &[PathBuf]) -> Vec<PathBuf> {
    documents_known(files, &BTreeMap::new()).0
}

/// `documents`, with what an earlier build read from each file (`known`,
/// from the manifest): a file whose bytes have the digest recorded there
/// is not parsed again. Returns the documents and what was read from every
/// file now, for the next build.
pub fn documents_known(
    files: &[PathBuf],
    known: &BTreeMap<String, Scan>,
) -> (Vec<PathBuf>, BTreeMap<String, Scan>) {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let mut imported = BTreeSet::new();
    let mut has_body = BTreeSet::new();
    let mut scans = BTreeMap::new();
    for file in files {
        let Ok(bytes) = crate::files::read(file, crate::files::Kind::Data) else {
            continue;
        };
        let key = input_key(file);
        let digest = sha256_hex(&bytes);
        let scan = match known.get(&key) {
            Some(k) if k.digest == digest => k.clone(),
            _ => scan(file, &bytes, digest),
        };
        let this = canonical(file);
        if scan.body {
            has_body.insert(this.clone());
        }
        for target in &scan.imports {
            let target = canonical(&file.parent().unwrap_or(Path::new("")).join(target));
            // A file importing itself is an error to report, not a data source.
            if target != this {
                imported.insert(target);
            }
        }
        scans.insert(key, scan);
    }
    let documents = files
        .iter()
        .filter(|f| {
            let c = canonical(f);
            !imported.contains(&c) || has_body.contains(&c)
        })
        .cloned()
        .collect();
    (documents, scans)
}

/// What finding the documents reads from one data file's bytes. One that
/// does not decode or parse counts as a document importing nothing (it is
/// built, and its errors reported).
fn scan(file: &Path, bytes: &[u8], digest: String) -> Scan {
    let data = load::decode(file, bytes)
        .ok()
        .and_then(|text| load::parse(file, &text).ok());
    let Some(data) = data else {
        return Scan {
            digest,
            body: true,
            imports: Vec::new(),
        };
    };
    Scan {
        digest,
        body: !data.parts.is_empty()
            || data.tasks.is_some()
            || !data.attachments.is_empty()
            || data.intro.is_some(),
        imports: data.imports.values().map(|t| t.value.clone()).collect(),
    }
}

/// `--shard K/N`: the K-th of N shares of the documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1 ≤ index ≤ total.
    pub index: u64,
    pub total: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `K/N` with 1 ≤ K ≤ N, in plain words when it is not.
    fn from_str(text: &str) -> Result<Shard, String> {
        Shard::parse_in(i18n::current(), text)
    }
}

impl Shard {
    /// [`FromStr`](std::str::FromStr) with its message in `lang`. Clap
    /// prints it after its own sentence, which in Chinese already quotes
    /// the value (「--shard <K/N>」的值「0/3」无效：…), so the Chinese does
    /// not repeat it.
    pub fn parse_in(lang: i18n::Lang, text: &str) -> Result<Shard, String> {
        let zh = lang == i18n::Lang::Zh;
        let example = if zh {
            "例如 `--shard 2/3` 生成三份中的第二份；在 CI 矩阵中写 `--shard $INDEX/$TOTAL`"
        } else {
            "e.g. --shard 2/3 builds the second of three shares; in a CI matrix --shard $INDEX/$TOTAL"
        };
        let number = |part: &str| part.trim().parse::<u64>().ok();
        let Some((k, n)) = text.split_once('/') else {
            return Err(if zh {
                format!("不是 K/N 的形式（两个整数，中间用斜杠隔开）。{example}")
            } else {
                format!("`{text}` is not K/N (two whole numbers and a slash); {example}")
            });
        };
        let (Some(index), Some(total)) = (number(k), number(n)) else {
            return Err(if zh {
                format!("不是 K/N 的形式：K 和 N 都必须是整数。{example}")
            } else {
                format!("`{text}` is not K/N: K and N must be whole numbers; {example}")
            });
        };
        if total == 0 {
            return Err(if zh {
                format!("份数 N 至少为 1。{example}")
            } else {
                format!("`{text}`: N, the number of shares, must be at least 1; {example}")
            });
        }
        if index == 0 || index > total {
            return Err(if zh {
                format!("K 必须在 1 到 {total} 之间（份数从 1 数起）。{example}")
            } else {
                format!(
                    "`{text}`: K must be from 1 to {total} (shares are counted from 1); {example}"
                )
            });
        }
        Ok(Shard { index, total })
    }
}

impl Shard {
    /// Whether `document` is in this share: by a hash of its path relative
    /// to the input folder it was found in (its name when given directly),
    /// `/`-separated, so the same document falls in the same share on every
    /// machine, in every run and whatever else is built with it.
    pub fn takes(&self, document: &Path, inputs: &[PathBuf]) -> bool {
        let key = shard_key(document, inputs);
        let digest = Sha256::digest(key.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % self.total == self.index - 1
    }
}

/// The path a document is sharded by (see `Shard::takes`).
pub fn shard_key(document: &Path, inputs: &[PathBuf]) -> String {
    let relative = inputs
        .iter()
        .filter(|i| i.is_dir())
        .filter_map(|i| document.strip_prefix(i).ok())
        .min_by_key(|r| r.components().count())
        .unwrap_or_else(|| Path::new(document.file_name().unwrap_or_default()));
    let parts: Vec<String> = relative
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

/// Documents whose outputs would overwrite an earlier document's
/// (`data/a.yaml` and `data/sub/a.yaml` both write `a.*`): index → error.
pub(super) fn output_collisions(documents: &[PathBuf]) -> BTreeMap<usize, Diagnostic> {
    let mut first: BTreeMap<&OsStr, &PathBuf> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (i, doc) in documents.iter().enumerate() {
        let stem = doc.file_stem().unwrap_or_default();
        match first.get(stem) {
            Some(earlier) => {
                let (earlier, name) = (earlier.display(), stem.display());
                let d = Diagnostic::file_error(
                    doc,
                    tr!(
                        "would overwrite the outputs of {earlier} (both are named {name}.*)",
                        "会覆盖 {earlier} 的输出（两者的输出都叫 {name}.*）"
                    ),
                )
                .with_hint(i18n::pick(
                    "two data files with the same name write the same output; rename one",
                    "同名的两个数据文件会写出同名的输出，请把其中一个改名",
                ));
                out.insert(i, d);
            }
            None => {
                first.insert(stem, doc);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_walk_is_bounded_and_sees_each_real_folder_once() {
        let dir = std::env::temp_dir().join(format!("zongjie-walk-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        for name in [
            "a.yaml",
            "B.YML",
            "Profile.yaml",
            "notes.txt",
            ".hidden.yaml",
        ] {
            std::fs::write(dir.join(name), "intro: x\n").unwrap();
        }
        std::fs::write(dir.join("sub/c.Yaml"), "intro: x\n").unwrap();
        #[cfg(unix)]
        for (target, link) in [(".", "l1"), (".", "l2"), ("..", "sub/up"), ("loop", "loop")] {
            std::os::unix::fs::symlink(target, dir.join(link)).unwrap();
        }
        let found = find_inputs(std::slice::from_ref(&dir)).unwrap();
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["B.YML", "a.yaml", "sub/c.Yaml"]);
        let mut walk = Walk {
            project: load::ImportScope::of_inputs(std::slice::from_ref(&dir), &[]),
            seen: BTreeSet::new(),
            entries: 0,
            limit: 5,
        };
        let d = walk.folder(&dir, &mut Vec::new()).unwrap_err();
        assert!(
            d.message.starts_with("more than 5 files and folders under"),
            "{}",
            d.message
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn imported_data_files_are_not_documents() {
        let dir = std::env::temp_dir().join(format!("zongjie-docs-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("main.yaml"),
            "imports: {上年: prev.yaml}\nintro: 正文。\n",
        )
        .unwrap();
        std::fs::write(dir.join("prev.yaml"), "metrics: {a: 1个}\n").unwrap();
        std::fs::write(
            dir.join("other.yaml"),
            "imports: {t: tasks.yaml}\nintro: 正文。\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("tasks.yaml"),
            "tasks: {rows: [{name: a, lead: b}]}\n",
        )
        .unwrap();
        let files = find_inputs(std::slice::from_ref(&dir)).unwrap();
        let names: Vec<String> = documents(&files)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["main.yaml", "other.yaml", "tasks.yaml"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_whose_digest_is_known_is_not_parsed_again() {
        let dir = std::env::temp_dir().join(format!("zongjie-scan-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.yaml"), "intro: 正文。\n").unwrap();
        std::fs::write(dir.join("b.yaml"), "metrics: {x: 1个}\n").unwrap();
        let files = find_inputs(std::slice::from_ref(&dir)).unwrap();
        let (docs, scans) = documents_known(&files, &BTreeMap::new());
        assert_eq!(docs.len(), 2);
        assert_eq!(scans.len(), 2);
        // What the cache says wins while the bytes are the same: here it
        // claims a.yaml imports b.yaml, which only a parse could deny.
        let mut known = scans.clone();
        let a = known.get_mut(&input_key(&dir.join("a.yaml"))).unwrap();
        a.imports = vec!["b.yaml".into()];
        let (docs, _) = documents_known(&files, &known);
        assert_eq!(docs, [dir.join("a.yaml")]);
        // Changed bytes are parsed again.
        std::fs::write(dir.join("a.yaml"), "intro: 正文二。\n").unwrap();
        let (docs, again) = documents_known(&files, &known);
        assert_eq!(docs.len(), 2);
        assert!(again[&input_key(&dir.join("a.yaml"))].imports.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn shard_keys_are_relative_to_the_input_folder() {
        let inputs = [PathBuf::from("/nonexistent-root/data")];
        // Not a folder here: a file given directly is keyed by its name.
        assert_eq!(
            shard_key(Path::new("/x/data/sub/a.yaml"), &inputs),
            "a.yaml"
        );
        let dir = std::env::temp_dir();
        let doc = dir.join("sub").join("a.yaml");
        assert_eq!(shard_key(&doc, std::slice::from_ref(&dir)), "sub/a.yaml");
        let shard: Shard = "2/3".parse().unwrap();
        assert_eq!(shard, Shard { index: 2, total: 3 });
        let taken = (0..300)
            .filter(|i| shard.takes(&dir.join(format!("d{i}.yaml")), std::slice::from_ref(&dir)))
            .count();
        assert!((70..=130).contains(&taken), "{taken}");
    }
}
