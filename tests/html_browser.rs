//! The HTML page in headless Chromium on a machine state with no Chinese
//! fonts (a fontconfig file listing only DejaVu): the browser accepts every
//! embedded face, the text renders from them only, and justification does
//! not spread the letters of a Latin run. Skipped (with a note) when no
//! Chromium is installed.

mod common;

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use headless_chrome::{Browser, LaunchOptions, Tab};

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("ZONGJIE_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// Chromium whose fontconfig knows only DejaVu (no CJK face at all).
fn launch(path: PathBuf, dir: &Path) -> Browser {
    let conf = dir.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{}</cachedir></fontconfig>\n",
            dir.join("fc-cache").display()
        ),
    )
    .expect("fonts.conf");
    let envs: HashMap<String, String> =
        [("FONTCONFIG_FILE".to_string(), conf.display().to_string())].into();
    let options = LaunchOptions {
        path: Some(path),
        headless: true,
        sandbox: false,
        window_size: Some((1280, 1000)),
        user_data_dir: Some(dir.join("profile")),
        process_envs: Some(envs),
        args: vec![
            OsStr::new("--disable-gpu"),
            OsStr::new("--no-first-run"),
            OsStr::new("--disable-background-networking"),
            OsStr::new("--disable-component-update"),
            OsStr::new("--disable-sync"),
        ],
        idle_browser_timeout: Duration::from_secs(60),
        ..LaunchOptions::default()
    };
    Browser::new(options).unwrap_or_else(|e| panic!("chromium did not start: {e}"))
}

fn eval(tab: &Tab, js: &str) -> serde_json::Value {
    match tab.evaluate(js, true) {
        Ok(v) => v.value.unwrap_or_default(),
        Err(e) => panic!("{js}: {e}"),
    }
}

#[test]
fn page_renders_from_its_embedded_fonts_without_any_installed_cjk_font() {
    let Some(chrome) = chromium() else {
        eprintln!("note: chromium not found, skipping the browser test (apt-get install chromium)");
        return;
    };
    let dir = common::temp("html-browser");
    let out = dir.join("out");
    let run = common::zongjie(
        common::root(),
        &[
            "build",
            "--format",
            "html",
            "--ignore-system-fonts",
            "--out",
            out.to_str().unwrap(),
            "data/lishui-2022.yaml",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = out.join("lishui-2022.html");
    let browser = launch(chrome, &dir);
    let tab = browser.new_tab().expect("tab");
    tab.set_default_timeout(Duration::from_secs(30));
    tab.navigate_to(&format!("file://{}", page.display()))
        .and_then(|t| t.wait_until_navigated())
        .expect("page loads");

    // Every @font-face is accepted (a face the browser rejects is "error").
    let faces = eval(
        &tab,
        "document.fonts.ready.then(() => JSON.stringify([...document.fonts].map(f => [f.family, f.status])))",
    );
    let faces: Vec<(String, String)> =
        serde_json::from_str(faces.as_str().unwrap_or("[]")).expect("json");
    assert!(faces.len() >= 3, "{faces:?}");
    assert!(faces.iter().all(|(_, s)| s == "loaded"), "{faces:?}");

    // Each role's text renders from an embedded (custom) face only, never
    // from an installed fallback.
    let ours: Vec<&str> = faces.iter().map(|(f, _)| f.trim_matches('"')).collect();
    tab.call_method(headless_chrome::protocol::cdp::DOM::Enable {
        include_whitespace: None,
    })
    .expect("DOM");
    tab.call_method(headless_chrome::protocol::cdp::CSS::Enable(None))
        .expect("CSS");
    for selector in [
        "h1.title",
        "section.sheet > p",
        "h2.h1",
        "span.lead",
        "table.tasks td",
    ] {
        let Ok(node) = tab.find_element(selector) else {
            continue;
        };
        let fonts = tab
            .call_method(
                headless_chrome::protocol::cdp::CSS::GetPlatformFontsForNode {
                    node_id: node.node_id,
                },
            )
            .expect("platform fonts");
        assert!(!fonts.fonts.is_empty(), "{selector}");
        for f in &fonts.fonts {
            assert!(
                f.is_custom_font,
                "{selector}: rendered with installed {} ({} glyphs); embedded: {ours:?}",
                f.family_name, f.glyph_count
            );
        }
    }

    // Justification widens the gaps at ideographs, not inside `ICU`.
    let spread = eval(
        &tab,
        "(() => { const p = document.createElement('p'); p.style.width = '9.6em'; \
         p.innerHTML = '新建<span class=\"nb\" id=\"icu\">ICU</span>床位和实施<span class=\"nb\">1+5</span>行动的做法得到肯定'; \
         document.querySelector('section.sheet').appendChild(p); \
         const w = document.getElementById('icu').getBoundingClientRect().width; \
         p.style.textAlign = 'left'; \
         const n = document.getElementById('icu').getBoundingClientRect().width; \
         p.remove(); return w - n; })()",
    );
    let spread = spread.as_f64().expect("number");
    assert!(spread.abs() < 0.5, "ICU widened by {spread}px");
    drop(tab);
    drop(browser);
    std::fs::remove_dir_all(&dir).ok();
}
