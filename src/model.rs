//! The data format v1 as serde types (see `docs/data-format.md`), nothing
//! else. Values that diagnostics point at are `Spanned`, so every error can
//! name file:line:column. Fields that take one of several shapes (a string or
//! a list, a string or a map) have hand-written visitors, because serde's
//! untagged enums lose source locations.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
pub use serde_saphyr::{Location, Spanned};

use crate::diag::Pos;
use crate::i18n::pick;
use crate::tr;

/// One YAML file = one document.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataFile {
    #[serde(default)]
    pub doc: DocMeta,
    #[serde(default)]
    pub numbering: Numbering,
    /// alias → path of another data file whose metrics can be referenced.
    #[serde(default)]
    pub imports: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub metrics: Metrics,
    pub intro: Option<Paragraphs>,
    #[serde(default)]
    pub parts: Vec<Part>,
    pub outro: Option<Paragraphs>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    pub tasks: Option<TaskTable>,
    /// What is done to this document's text (as the profile's `text:`).
    #[serde(default)]
    pub text: crate::profile::TextProfile,
}

/// The `doc:` block: title and metadata, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocMeta {
    pub title: Option<Spanned<String>>,
    pub genre: Option<Spanned<String>>,
    pub issuer: Option<Spanned<String>>,
    pub year: Option<Spanned<i32>>,
    pub plan_year: Option<Spanned<i32>>,
    pub half: Option<Spanned<u8>>,
    pub index_no: Option<Spanned<String>>,
    pub doc_no: Option<Spanned<String>>,
    pub category: Option<Spanned<String>>,
    pub written: Option<Spanned<String>>,
    pub published: Option<Spanned<String>>,
    pub disclosure: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    #[serde(default)]
    pub draft: bool,
    /// Print the issuer and the written date under the body (署名 and 成文日期).
    #[serde(default)]
    pub signature: bool,
}

/// A sample of the first label per level, e.g. `{part: 一、, section: （一）}`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Numbering {
    pub part: Option<Spanned<String>>,
    pub section: Option<Spanned<String>>,
    pub item: Option<Spanned<String>>,
    pub cell: Option<Spanned<String>>,
}

/// The metric table: key → definition.
pub type Metrics = BTreeMap<String, Spanned<MetricDef>>;

/// One part (`一、…`) of the body.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Part {
    pub title: Option<Spanned<String>>,
    #[serde(default)]
    pub omitted: bool,
    pub numbering: Option<Numbering>,
    pub intro: Option<Paragraphs>,
    #[serde(default)]
    pub sections: Vec<Section>,
    pub outro: Option<Paragraphs>,
    #[serde(default)]
    pub metrics: Metrics,
    pub tasks: Option<TaskTable>,
}

/// One section (`（一）…`) of a part.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub lead: Option<Spanned<String>>,
    #[serde(default)]
    pub omitted: bool,
    /// `run-in` (default: the lead opens the first paragraph) or `heading`
    /// (label and lead on a line of their own, the text below).
    pub layout: Option<Spanned<String>>,
    pub text: Option<Paragraphs>,
    pub items: Option<Spanned<ItemList>>,
    #[serde(default)]
    pub metrics: Metrics,
    pub tasks: Option<TaskTable>,
}

/// An attachment, rendered after the body on a new page as 附件N.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub title: Option<Spanned<String>>,
    pub intro: Option<Paragraphs>,
    pub tasks: Option<TaskTable>,
    pub outro: Option<Paragraphs>,
}

/// A 攻坚任务清单 table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskTable {
    pub columns: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub rows: Vec<TaskRow>,
}

/// One row of a task table; 序号 is generated.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskRow {
    pub name: Option<Spanned<String>>,
    pub targets: Option<Spanned<ItemList>>,
    pub measures: Option<Spanned<ItemList>>,
    pub lead: Option<Spanned<OneOrMany>>,
    pub units: Option<Spanned<OneOrMany>>,
}

/// A piece of text with where it was written.
#[derive(Debug, Clone)]
pub struct Text {
    pub value: String,
    pub at: Location,
    /// Where the characters themselves are written: `at`, or the anchor's
    /// place when `at` is an alias (`*name`). Its span is the scalar as
    /// typed, which is needed to undo YAML's line folding.
    pub origin: Location,
}

/// PARAGRAPHS: a string, or a list of strings.
#[derive(Debug, Clone, Default)]
pub struct Paragraphs(pub Vec<Text>);

/// A string or a list of strings (lead units).
#[derive(Debug, Clone, Default)]
pub struct OneOrMany(pub Vec<Text>);

/// LIST: a bare list, or `{style, layout, items}`.
#[derive(Debug, Default)]
pub struct ItemList {
    pub style: Option<Spanned<String>>,
    pub layout: Option<Spanned<String>>,
    pub items: Vec<Item>,
}

/// ITEM: a string, or `{lead, text}`.
#[derive(Debug, Default)]
pub struct Item {
    pub lead: Option<Text>,
    pub text: Option<Text>,
    pub at: Option<Location>,
    /// Sub-items (`（1）` under `1.`): one level below an item only.
    pub items: Option<Spanned<ItemList>>,
}

/// A metric: a quantity string, or a map with computed relations.
#[derive(Debug, Default, Clone)]
pub struct MetricDef {
    pub value: Option<Spanned<Scalar>>,
    pub plan: Option<Spanned<Scalar>>,
    pub prev: Option<Spanned<Scalar>>,
    pub of: Option<Spanned<Scalar>>,
    pub change: Option<Spanned<Scalar>>,
    pub rate: Option<Spanned<Scalar>>,
    pub digits: Option<Spanned<u32>>,
    pub vs: Option<Spanned<String>>,
    pub up: Option<Spanned<String>>,
    pub down: Option<Spanned<String>>,
}

/// A scalar written where text is expected; numbers keep their typed form
/// (`4.0` stays `4.0`: where YAML only hands over a parsed number, the loader
/// re-reads the typed text from the source, see `numeric`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scalar(pub String);

impl Scalar {
    /// True when YAML parsed this scalar as a number, so its typed spelling
    /// must be taken from the source text.
    pub fn numeric(&self) -> bool {
        self.0.starts_with('\u{0}')
    }
}

/// Converts a saphyr location to a diagnostic position.
pub fn pos(at: Location) -> Pos {
    Pos {
        line: at.line() as usize,
        col: at.column() as usize,
    }
}

fn known(at: Location) -> bool {
    at.line() > 0
}

/// Picks the inner location when known, else the outer one.
fn best(inner: Location, outer: Location) -> Location {
    if known(inner) { inner } else { outer }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(pick("a text or a number", "一段文字或一个数"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Ask for a string: the YAML layer then hands over the typed text of
        // a plain scalar (`4.0` stays `4.0`) instead of a parsed number.
        d.deserialize_string(ScalarVisitor)
    }
}

/// Deserializes "a string or a list of strings" keeping every location.
fn text_list<'de, D: Deserializer<'de>>(
    d: D,
    expecting: &'static str,
) -> Result<Vec<Text>, D::Error> {
    struct V(&'static str);
    impl<'de> Visitor<'de> for V {
        type Value = Vec<Text>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(self.0)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<Text>, E> {
            Ok(vec![Text {
                value: v.to_string(),
                at: Location::UNKNOWN,
                origin: Location::UNKNOWN,
            }])
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<Text>, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<Text>, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<Text>, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<Text>, E> {
            Ok(Vec::new())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Text>, A::Error> {
            let mut out = Vec::new();
            while let Some(s) = seq.next_element::<Spanned<Scalar>>()? {
                out.push(Text {
                    value: s.value.0,
                    at: s.referenced,
                    origin: s.defined,
                });
            }
            Ok(out)
        }
    }
    d.deserialize_any(V(expecting))
}

/// Fills unknown element locations with the location of the whole value.
fn locate<T>(texts: Vec<Text>, outer: &Spanned<T>) -> Vec<Text> {
    texts
        .into_iter()
        .map(|t| Text {
            at: best(t.at, outer.referenced),
            origin: best(t.origin, outer.defined),
            ..t
        })
        .collect()
}

struct Located<T>(T);

impl<'de> Deserialize<'de> for Located<Vec<Text>> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        text_list(
            d,
            pick("a text or a list of texts", "一段文字或一个文字列表"),
        )
        .map(Located)
    }
}

impl<'de> Deserialize<'de> for Paragraphs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut s = Spanned::<Located<Vec<Text>>>::deserialize(d)?;
        Ok(Paragraphs(locate(std::mem::take(&mut s.value.0), &s)))
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut s = Spanned::<Located<Vec<Text>>>::deserialize(d)?;
        Ok(OneOrMany(locate(std::mem::take(&mut s.value.0), &s)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemMap {
    lead: Option<Spanned<Scalar>>,
    text: Option<Spanned<Scalar>>,
    items: Option<Spanned<ItemList>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemListMap {
    style: Option<Spanned<String>>,
    layout: Option<Spanned<String>>,
    #[serde(default)]
    items: Vec<Spanned<Item>>,
}

impl<'de> Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Item;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(pick(
                    "an item: a text, or a map with `lead` and `text`",
                    "一个条目：一段文字，或带有 `lead` 和 `text` 的字段",
                ))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Item, E> {
                Ok(Item {
                    text: Some(Text {
                        value: v.to_string(),
                        at: Location::UNKNOWN,
                        origin: Location::UNKNOWN,
                    }),
                    ..Item::default()
                })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Item, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Item, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Item, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Item, A::Error> {
                let m = ItemMap::deserialize(MapAccessDeserializer::new(map))?;
                let text = |s: Spanned<Scalar>| Text {
                    value: s.value.0,
                    at: s.referenced,
                    origin: s.defined,
                };
                Ok(Item {
                    lead: m.lead.map(text),
                    text: m.text.map(text),
                    at: None,
                    items: m.items,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ItemList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ItemList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(pick(
                    "a list of items, or a map with `style`, `layout` and `items`",
                    "条目列表，或带有 `style`、`layout` 和 `items` 的字段",
                ))
            }
            fn visit_unit<E: de::Error>(self) -> Result<ItemList, E> {
                Ok(ItemList::default())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ItemList, E> {
                let item = Item {
                    text: Some(Text {
                        value: v.to_string(),
                        at: Location::UNKNOWN,
                        origin: Location::UNKNOWN,
                    }),
                    ..Item::default()
                };
                Ok(ItemList {
                    items: vec![item],
                    ..ItemList::default()
                })
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ItemList, A::Error> {
                let mut items = Vec::new();
                while let Some(s) = seq.next_element::<Spanned<Item>>()? {
                    items.push(with_item_location(s));
                }
                Ok(ItemList {
                    items,
                    ..ItemList::default()
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ItemList, A::Error> {
                let m = ItemListMap::deserialize(MapAccessDeserializer::new(map))?;
                Ok(ItemList {
                    style: m.style,
                    layout: m.layout,
                    items: m.items.into_iter().map(with_item_location).collect(),
                })
            }
        }
        d.deserialize_any(V)
    }
}

fn with_item_location(s: Spanned<Item>) -> Item {
    let (outer, origin) = (s.referenced, s.defined);
    let mut item = s.value;
    item.at = Some(outer);
    for t in item.text.iter_mut().chain(item.lead.iter_mut()) {
        t.at = best(t.at, outer);
        t.origin = best(t.origin, origin);
    }
    item
}

impl<'de> Deserialize<'de> for MetricDef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MetricDef;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(pick(
                    "a quantity such as `3.88万个`, or a map with `value`, `plan`, `prev`, `of`, …",
                    "一个数量（如 `3.88万个`），或带有 `value`、`plan`、`prev`、`of` 等的字段",
                ))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MetricDef, E> {
                let value =
                    Spanned::new(Scalar(v.to_string()), Location::UNKNOWN, Location::UNKNOWN);
                Ok(MetricDef {
                    value: Some(value),
                    ..MetricDef::default()
                })
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<MetricDef, E> {
                self.visit_str(&format!("\u{0}{v}"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<MetricDef, E> {
                self.visit_str(&format!("\u{0}{v}"))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<MetricDef, E> {
                self.visit_str(&format!("\u{0}{v}"))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MetricDef, A::Error> {
                MetricFields::deserialize(MapAccessDeserializer::new(map)).map(|f| f.0)
            }
        }
        d.deserialize_any(V)
    }
}

/// Most decimal places a metric may ask for with `digits`.
pub const MAX_DIGITS: u32 = 10;

/// `digits:` within 0..=[`MAX_DIGITS`], else an error at the value.
fn digits<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Spanned<u32>>, D::Error> {
    let v = Spanned::<u32>::deserialize(d)?;
    if v.value > MAX_DIGITS {
        // `load` picks the hint by how this starts, in either language.
        return Err(de::Error::custom(tr!(
            "digits must be 0 to {MAX_DIGITS} (decimal places), not {}",
            "`digits`（小数位数）应为 0 到 {MAX_DIGITS}，不能是 {}",
            v.value
        )));
    }
    Ok(Some(v))
}

/// The map form of a metric, read with unknown fields rejected.
struct MetricFields(MetricDef);

impl<'de> Deserialize<'de> for MetricFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Fields {
            value: Option<Spanned<Scalar>>,
            plan: Option<Spanned<Scalar>>,
            prev: Option<Spanned<Scalar>>,
            of: Option<Spanned<Scalar>>,
            change: Option<Spanned<Scalar>>,
            rate: Option<Spanned<Scalar>>,
            #[serde(default, deserialize_with = "digits")]
            digits: Option<Spanned<u32>>,
            vs: Option<Spanned<String>>,
            up: Option<Spanned<String>>,
            down: Option<Spanned<String>>,
        }
        let f = Fields::deserialize(d)?;
        Ok(MetricFields(MetricDef {
            value: f.value,
            plan: f.plan,
            prev: f.prev,
            of: f.of,
            change: f.change,
            rate: f.rate,
            digits: f.digits,
            vs: f.vs,
            up: f.up,
            down: f.down,
        }))
    }
}
