//! `build`, `import` and `new` answer in Chinese with `--lang zh` and in
//! the same English as before with `--lang en`: the output folder, the
//! manifest, `--shard`, a GBK source's notes, a damaged `.docx`, and a
//! starter file that exists already.

mod common;

use std::path::Path;

fn run(dir: &Path, args: &[&str], lang: &str) -> common::Run {
    let mut all = args.to_vec();
    all.extend(["--lang", lang]);
    common::zongjie(dir, &all)
}

/// Runs `args` in both languages; asserts each stderr holds its text.
fn both(dir: &Path, args: &[&str], zh: &[&str], en: &[&str]) {
    for (lang, want) in [("zh", zh), ("en", en)] {
        let out = run(dir, args, lang);
        assert_ne!(out.code, 0, "{args:?} --lang {lang} should fail");
        for w in want {
            assert!(
                out.stderr.contains(w),
                "{args:?} --lang {lang}: want `{w}` in\n{}",
                out.stderr
            );
        }
    }
}

/// A folder with a data file made by `zongjie new`.
fn project(name: &str) -> std::path::PathBuf {
    let dir = common::temp(name);
    std::fs::create_dir(dir.join("data")).unwrap();
    let made = common::zongjie(&dir, &["new", "data/r.yaml"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    dir
}

#[test]
fn build_refusals_are_in_chinese() {
    let dir = project("zh-build");
    std::fs::write(dir.join("somefile"), "x").unwrap();
    both(
        &dir,
        &["build", "--out", "somefile"],
        &[
            "错误：`--out` 指定的是一个已有的文件，不是文件夹",
            "= 提示：请指定存放输出的文件夹（不存在时会自动创建）",
        ],
        &[
            "error: --out names an existing file, not a folder",
            "hint: give the folder the outputs go into (it is created when missing)",
        ],
    );
    both(
        &dir,
        &["build", "--shard", "0/3"],
        &[
            "错误：「--shard <K/N>」的值「0/3」无效：K 必须在 1 到 3 之间（份数从 1 数起）。例如 `--shard 2/3` 生成三份中的第二份",
        ],
        &[
            "`0/3`: K must be from 1 to 3 (shares are counted from 1); e.g. --shard 2/3 builds the second of three shares",
        ],
    );
    both(
        &dir,
        &["build", "--shard", "two"],
        &["无效：不是 K/N 的形式（两个整数，中间用斜杠隔开）。"],
        &["`two` is not K/N (two whole numbers and a slash)"],
    );
    std::fs::create_dir_all(dir.join("output")).unwrap();
    std::fs::write(dir.join("output/.zongjie-manifest.json"), "garbage").unwrap();
    both(
        &dir,
        &["build", "--format", "md"],
        &[
            "错误：无法读取生成记录（manifest）：不是 zongjie 的生成记录（JSON：",
            "= 提示：它记录哪个数据文件写出了哪些输出；请删除它，或加 `--force` 全部重新生成并写一份新的",
        ],
        &["error: cannot read the build manifest: not a zongjie manifest ("],
    );
    std::fs::remove_file(dir.join("output/.zongjie-manifest.json")).unwrap();
    // The lock file the refused build left beside the manifest.
    let _ = std::fs::remove_file(dir.join("output/.zongjie.lock"));
    std::fs::create_dir(dir.join("output/.zongjie.lock")).unwrap();
    both(
        &dir,
        &["build", "--format", "md"],
        &[
            "错误：无法锁定输出文件夹：这是文件夹，不是文件",
            "它必须是普通文件（请删除占着这个名字的东西）",
        ],
        &["error: cannot lock the output folder: "],
    );
    both(
        &dir,
        &["build", "missing"],
        &["错误：没有这个文件或文件夹", "不指定时使用 data/"],
        &["error: no such file or folder"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn new_refuses_to_overwrite_in_chinese() {
    let dir = project("zh-new");
    both(
        &dir,
        &["new", "data/r.yaml"],
        &[
            "错误：这个文件已经存在；`zongjie new` 不会覆盖已有的文件",
            "= 提示：请换一个新文件名；如果确实要重新开始，请先删除这个文件",
        ],
        &[
            "error: the file exists already; `zongjie new` never overwrites",
            "hint: name a new file, or delete this one first if you mean to start over",
        ],
    );
    both(
        &dir,
        &["new", "r.txt"],
        &["错误：数据文件的名字要以 .yaml 结尾"],
        &["error: a data file's name ends in .yaml"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn import_notes_and_refusals_are_in_chinese() {
    let dir = common::temp("zh-import");
    let text = "丽水市卫生健康委员会2022年工作总结\n\n一、2022年工作总结\n\n\
                （一）落实疫情防控。全市 卫生健康工作稳步推进。\n\n（三）第三节。\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    std::fs::write(dir.join("gbk.txt"), &gbk).unwrap();
    for (lang, want) in [
        (
            "zh",
            [
                "说明：两个汉字之间有空格（可能是文字识别或分栏换行造成的），已原样保留",
                "警告：缺少「（二）」这一节，已放入一个省略的占位节，使编号保持不变",
                "= 提示：请补上缺少的一节，或保留 `omitted: true`",
            ],
        ),
        (
            "en",
            [
                "notice: a space between two Chinese characters (OCR or column-wrap damage?); kept as it is",
                "warning: section （二） is missing; an omitted placeholder keeps the numbers",
                "hint: fill in the missing section, or keep `omitted: true`",
            ],
        ),
    ] {
        let out = run(&dir, &["import", "gbk.txt"], lang);
        assert_eq!(out.code, 0, "{}", out.stderr);
        for w in want {
            assert!(
                out.stderr.contains(w),
                "--lang {lang}: `{w}` in\n{}",
                out.stderr
            );
        }
    }
    // A .docx whose text part is cut off.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    std::io::Write::write_all(
        &mut zip,
        b"<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p>",
    )
    .unwrap();
    std::fs::write(dir.join("cut.docx"), zip.finish().unwrap().into_inner()).unwrap();
    both(
        &dir,
        &["import", "cut.docx"],
        &[
            "错误：.docx 的正文 word/document.xml 不是有效的 XML，文件可能已损坏（XML：",
            "= 提示：请用 Word 或 WPS 打开后重新保存，或另存为 .txt",
        ],
        &[
            "error: word/document.xml: ",
            "hint: open it in Word or WPS and save it again, or save it as .txt",
        ],
    );
    std::fs::write(dir.join("scan.pdf"), b"%PDF-1.7\n").unwrap();
    both(
        &dir,
        &["import", "scan.pdf"],
        &[
            "错误：这是一个 PDF 文件，不是文本文件",
            "= 提示：请把报告另存为纯文本（.txt，UTF-8 编码）或 .docx，再导入",
        ],
        &["error: this is a PDF file, not a text file"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
