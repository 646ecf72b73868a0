//! A small, strict HTML parser for checking the reports: it accepts the subset the reports
//! are written in and rejects anything looser, so a test that parses a page also proves the
//! page is well formed.
//!
//! Strict means: every element except the void ones is closed explicitly and in order;
//! attribute values are double-quoted; text holds no raw `<` or `>`; character references
//! are the five the writer uses (`&amp;` `&lt;` `&gt;` `&quot;` `&#39;`); `<script>` and
//! `<style>` content is taken raw up to its end tag.

/// Elements without an end tag.
const VOID: [&str; 6] = ["meta", "link", "br", "img", "input", "hr"];

/// A parsed node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// An element.
    Element(Element),
    /// Text, with character references decoded.
    Text(String),
}

/// An element with its attributes (values decoded) and children.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|x| x == class))
    }

    /// All text inside, in document order.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            match c {
                Node::Text(t) => s.push_str(t),
                Node::Element(e) => s.push_str(&e.text()),
            }
        }
        s
    }

    /// Every element below this one (not itself) that matches, in document order.
    pub fn find_all<'a>(&'a self, pred: &dyn Fn(&Element) -> bool) -> Vec<&'a Element> {
        let mut out = Vec::new();
        self.walk(pred, &mut out);
        out
    }

    fn walk<'a>(&'a self, pred: &dyn Fn(&Element) -> bool, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if let Node::Element(e) = c {
                if pred(e) {
                    out.push(e);
                }
                e.walk(pred, out);
            }
        }
    }

    /// Child elements (not text).
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }
}

fn decode(s: &str, at: usize) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (ent, ch) = [
            ("&amp;", '&'),
            ("&lt;", '<'),
            ("&gt;", '>'),
            ("&quot;", '"'),
            ("&#39;", '\''),
        ]
        .into_iter()
        .find(|(e, _)| rest.starts_with(e))
        .ok_or_else(|| {
            format!(
                "byte {at}: unknown character reference {:?}",
                &rest[..rest.len().min(10)]
            )
        })?;
        out.push(ch);
        rest = &rest[ent.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parse a whole document (`<!DOCTYPE html>` then one `<html>` element).
pub fn parse(src: &str) -> Result<Element, String> {
    let rest = src
        .strip_prefix("<!DOCTYPE html>")
        .ok_or("the document does not start with <!DOCTYPE html>")?;
    let mut p = Parser {
        src,
        pos: src.len() - rest.len(),
    };
    let mut root = Element {
        name: "#document".into(),
        attrs: vec![],
        children: vec![],
    };
    p.children(&mut root)?;
    if p.pos != src.len() {
        return Err(format!("byte {}: content after the end", p.pos));
    }
    let html: Vec<&Element> = root.elements().collect();
    if html.len() != 1 || html[0].name != "html" {
        return Err("the document must hold exactly one <html> element".into());
    }
    for c in &root.children {
        if let Node::Text(t) = c {
            if !t.trim().is_empty() {
                return Err(format!("text outside <html>: {t:?}"));
            }
        }
    }
    Ok(root)
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    /// Children of `parent` up to its end tag (or the end of input for the document).
    fn children(&mut self, parent: &mut Element) -> Result<(), String> {
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                if parent.name == "#document" {
                    return Ok(());
                }
                return Err(format!("<{}> is never closed", parent.name));
            }
            if let Some(after) = rest.strip_prefix("</") {
                let end = after
                    .find('>')
                    .ok_or_else(|| format!("byte {}: unterminated end tag", self.pos))?;
                let name = &after[..end];
                if name != parent.name {
                    return Err(format!(
                        "byte {}: </{name}> closes <{}>",
                        self.pos, parent.name
                    ));
                }
                self.pos += 2 + end + 1;
                return Ok(());
            }
            if rest.starts_with("<!--") {
                return Err(format!("byte {}: comments are not expected", self.pos));
            }
            if rest.starts_with('<') {
                let e = self.element()?;
                parent.children.push(Node::Element(e));
                continue;
            }
            let end = rest.find('<').unwrap_or(rest.len());
            let raw = &rest[..end];
            if raw.contains('>') {
                return Err(format!("byte {}: raw '>' in text {raw:?}", self.pos));
            }
            let text = decode(raw, self.pos)?;
            self.pos += end;
            parent.children.push(Node::Text(text));
        }
    }

    fn element(&mut self) -> Result<Element, String> {
        let start = self.pos;
        self.pos += 1;
        let name_len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .ok_or("unterminated tag")?;
        let name = self.rest()[..name_len].to_string();
        if name.is_empty() || name != name.to_ascii_lowercase() && !is_svg_camel(&name) {
            return Err(format!("byte {start}: bad tag name {name:?}"));
        }
        self.pos += name_len;
        let mut attrs: Vec<(String, String)> = Vec::new();
        loop {
            let r = self.rest();
            if let Some(stripped) = r.strip_prefix('>') {
                self.pos = self.src.len() - stripped.len();
                break;
            }
            let r2 = r.trim_start_matches(' ');
            if r2.len() == r.len() {
                return Err(format!(
                    "byte {}: expected a space or '>' in <{name}>",
                    self.pos
                ));
            }
            self.pos += r.len() - r2.len();
            let r = self.rest();
            let n = r
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
                .ok_or("unterminated tag")?;
            if n == 0 {
                return Err(format!("byte {}: bad attribute in <{name}>", self.pos));
            }
            let key = r[..n].to_string();
            self.pos += n;
            let value = if let Some(v) = self.rest().strip_prefix("=\"") {
                let end = v
                    .find('"')
                    .ok_or_else(|| format!("byte {}: unterminated attribute", self.pos))?;
                let raw = &v[..end];
                if raw.contains('<') || raw.contains('>') {
                    return Err(format!(
                        "byte {}: raw '<' or '>' in attribute {key}",
                        self.pos
                    ));
                }
                let val = decode(raw, self.pos)?;
                self.pos += 2 + end + 1;
                val
            } else if self.rest().starts_with('=') {
                return Err(format!("byte {}: unquoted attribute {key}", self.pos));
            } else {
                String::new()
            };
            if attrs.iter().any(|(k, _)| *k == key) {
                return Err(format!("byte {start}: <{name}> repeats attribute {key}"));
            }
            attrs.push((key, value));
        }
        let mut e = Element {
            name,
            attrs,
            children: vec![],
        };
        if VOID.contains(&e.name.as_str()) {
            return Ok(e);
        }
        if e.name == "script" || e.name == "style" {
            let close = format!("</{}>", e.name);
            let end = self
                .rest()
                .find(&close)
                .ok_or_else(|| format!("<{}> is never closed", e.name))?;
            e.children.push(Node::Text(self.rest()[..end].to_string()));
            self.pos += end + close.len();
            return Ok(e);
        }
        self.children(&mut e)?;
        Ok(e)
    }
}

/// SVG element names that are camel case.
fn is_svg_camel(name: &str) -> bool {
    matches!(name, "linearGradient" | "radialGradient" | "clipPath")
}

#[test]
fn the_parser_rejects_loose_html() {
    let ok =
        parse("<!DOCTYPE html><html><body><p class=\"a\">x &amp; y</p><br></body></html>").unwrap();
    assert_eq!(ok.find_all(&|e| e.name == "p")[0].text(), "x & y");
    for bad in [
        "<html><body></body></html>",
        "<!DOCTYPE html><html><body><p>x</body></html>",
        "<!DOCTYPE html><html><body><p class=a>x</p></body></html>",
        "<!DOCTYPE html><html><body>a > b</body></html>",
        "<!DOCTYPE html><html><body>&nbsp;</body></html>",
        "<!DOCTYPE html><html><body><p a=\"1\" a=\"2\"></p></body></html>",
        "<!DOCTYPE html><html></html><p></p>",
    ] {
        assert!(parse(bad).is_err(), "accepted {bad}");
    }
}
