//! Arbitrary Markdown → doc tree → HTML page (the built-in page template).
//! The doc parser is total: any text is a document.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else { return };
    let doc = zongjie::doc::parse(markdown);
    let options = zongjie::html::HtmlOptions::default();
    if let Err(e) = zongjie::html::render(&doc, &options, zongjie::html::DEFAULT_PAGE_TEMPLATE) {
        panic!("the built-in page template failed: {e}");
    }
    // The PDF writer is called with the same `doc` here when it exists.
});
