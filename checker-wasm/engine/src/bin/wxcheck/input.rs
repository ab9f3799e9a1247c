//! Where records come from: files or stdin, cut into records with their input
//! line numbers, in bounded memory.
//!
//! Two cutters: [`Lines`] for line-oriented input (JSON lines, the `--jsonl`
//! drafts) and [`ArrayItems`] for one JSON array of objects. Both hold at most
//! one record, and a record longer than [`MAX_RECORD_BYTES`] is skipped without
//! being buffered and reported as an oversized record instead.

use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// The largest record read, in bytes (1 MiB). A WeCom message is a few KB;
/// a longer line is read past, not kept, and reported as an error record.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// One cut record: its bytes, or why it has none.
pub struct Record {
    /// 1-based input line where the record starts.
    pub line: u64,
    pub body: Body,
}

pub enum Body {
    Bytes(Vec<u8>),
    /// Longer than [`MAX_RECORD_BYTES`]; carries the length read.
    TooLong(u64),
    /// The input ended inside the record (a truncated last line of an array).
    Truncated(Vec<u8>),
    /// The input failed to read (IO error) at this point.
    Failed(String),
}

/// Opens a named input; `-` is stdin. A closed stdin is an error, not an
/// empty input: `wxcheck <&-` must not pass silently.
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    if path.as_os_str() == "-" {
        stdin_is_open()?;
        Ok(Box::new(BufReader::with_capacity(1 << 16, io::stdin())))
    } else {
        let f = std::fs::File::open(path)?;
        if f.metadata()?.is_dir() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "这是一个目录"));
        }
        Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
    }
}

/// A closed fd 0 must not read as an empty, passing input. Rust's runtime
/// reopens a closed standard descriptor on `/dev/null` before `main`, so a
/// stdin that *is* `/dev/null` is taken as closed: there is nothing to check
/// either way, and saying so beats a silent pass.
pub fn stdin_is_open() -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::MetadataExt;
        let closed = || {
            io::Error::new(
                io::ErrorKind::NotConnected,
                "标准输入已关闭（或是 /dev/null），没有可检查的内容",
            )
        };
        let fd = io::stdin()
            .as_fd()
            .try_clone_to_owned()
            .map_err(|_| closed())?;
        let meta = std::fs::File::from(fd).metadata()?;
        if let Ok(null) = std::fs::metadata("/dev/null")
            && meta.dev() == null.dev()
            && meta.ino() == null.ino()
        {
            return Err(closed());
        }
        Ok(())
    }
    #[cfg(not(unix))]
    Ok(())
}

/// Drops a UTF-8 byte-order mark at the very start of an input.
pub fn skip_bom(input: &mut dyn BufRead) -> io::Result<()> {
    let buf = input.fill_buf()?;
    if buf.starts_with(b"\xEF\xBB\xBF") {
        input.consume(3);
    }
    Ok(())
}

/// Peeks at the first non-blank bytes of an input (after the BOM), to detect
/// its format without consuming anything.
pub fn peek(input: &mut dyn BufRead) -> io::Result<Vec<u8>> {
    let buf = input.fill_buf()?;
    let start = buf
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(buf.len());
    Ok(buf[start..buf.len().min(start + 4096)].to_vec())
}

/// Records separated by LF, CRLF or a lone CR (old Mac exports, and a
/// hostile input's way to hide records on one "line"). JSON escapes CR and LF
/// inside strings, so a raw CR is always a separator. Blank lines are
/// records too (empty bytes): the caller decides what they mean.
pub struct Lines<R> {
    input: R,
    line: u64,
    /// The previous record ended with CR: an LF right after it is the same break.
    after_cr: bool,
    done: bool,
}

impl<R: BufRead> Lines<R> {
    pub fn new(input: R) -> Self {
        Lines {
            input,
            line: 0,
            after_cr: false,
            done: false,
        }
    }
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.done {
            return None;
        }
        let mut bytes = Vec::new();
        let mut len: u64 = 0;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    self.line += 1;
                    return Some(Record {
                        line: self.line,
                        body: Body::Failed(e.to_string()),
                    });
                }
            };
            if buf.is_empty() {
                self.done = true;
                if len == 0 {
                    return None; // the input ended with a line break
                }
                break;
            }
            if self.after_cr {
                self.after_cr = false;
                if buf[0] == b'\n' {
                    self.input.consume(1);
                    continue;
                }
            }
            match memchr::memchr2(b'\n', b'\r', buf) {
                Some(i) => {
                    let cr = buf[i] == b'\r';
                    take(&mut bytes, &mut len, &buf[..i]);
                    self.input.consume(i + 1);
                    self.after_cr = cr;
                    break;
                }
                None => {
                    let n = buf.len();
                    take(&mut bytes, &mut len, buf);
                    self.input.consume(n);
                }
            }
        }
        self.line += 1;
        let body = if len > MAX_RECORD_BYTES as u64 {
            Body::TooLong(len)
        } else {
            Body::Bytes(bytes)
        };
        Some(Record {
            line: self.line,
            body,
        })
    }
}

/// Appends while under the limit; past it only counts.
fn take(bytes: &mut Vec<u8>, len: &mut u64, part: &[u8]) {
    if *len + part.len() as u64 <= MAX_RECORD_BYTES as u64 {
        bytes.extend_from_slice(part);
    } else {
        bytes.clear();
        bytes.shrink_to_fit();
    }
    *len += part.len() as u64;
}

/// The objects of one top-level JSON array, cut without parsing them.
///
/// serde_json can stream a sequence of values but not the elements of one
/// array, and its seq visitor cannot resynchronise after a bad element, which
/// would lose everything after it. This scanner only tracks strings, escapes
/// and nesting depth, so one broken element is one bad record and the rest
/// are still read.
pub struct ArrayItems<R> {
    input: R,
    line: u64,
    started: bool,
    done: bool,
}

impl<R: BufRead> ArrayItems<R> {
    pub fn new(input: R) -> Self {
        ArrayItems {
            input,
            line: 1,
            started: false,
            done: false,
        }
    }

    fn byte(&mut self) -> io::Result<Option<u8>> {
        loop {
            match self.input.fill_buf() {
                Ok([]) => return Ok(None),
                Ok(buf) => {
                    let b = buf[0];
                    self.input.consume(1);
                    if b == b'\n' {
                        self.line += 1;
                    }
                    return Ok(Some(b));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}

impl<R: BufRead> Iterator for ArrayItems<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.done {
            return None;
        }
        let failed = |line, e: io::Error| Record {
            line,
            body: Body::Failed(e.to_string()),
        };
        // Skip to the next element start: whitespace, the opening `[` and commas.
        let first = loop {
            match self.byte() {
                Err(e) => {
                    self.done = true;
                    return Some(failed(self.line, e));
                }
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Ok(Some(b'[')) if !self.started => self.started = true,
                Ok(Some(b']')) => {
                    self.done = true;
                    return None;
                }
                Ok(Some(b)) if b.is_ascii_whitespace() || b == b',' => {}
                Ok(Some(b)) => break b,
            }
        };
        let line = self.line;
        let (mut bytes, mut len) = (Vec::new(), 0u64);
        take(&mut bytes, &mut len, &[first]);
        if !matches!(first, b'{' | b'[' | b'"') {
            // A bare number or word: one (bad) record up to the next delimiter.
            loop {
                match self.input.fill_buf() {
                    Ok([b, ..]) if !(b.is_ascii_whitespace() || *b == b',' || *b == b']') => {
                        let b = *b;
                        self.input.consume(1);
                        take(&mut bytes, &mut len, &[b]);
                    }
                    _ => break,
                }
            }
            return Some(Record {
                line,
                body: Body::Bytes(bytes),
            });
        }
        let (mut depth, mut in_str, mut esc) = (0i64, false, false);
        let mut b = first;
        loop {
            if in_str {
                if esc {
                    esc = false;
                } else if b == b'\\' {
                    esc = true;
                } else if b == b'"' {
                    in_str = false;
                }
            } else {
                match b {
                    b'"' => in_str = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => depth -= 1,
                    _ => {}
                }
            }
            if depth <= 0 && !in_str {
                break;
            }
            b = match self.byte() {
                Err(e) => {
                    self.done = true;
                    return Some(failed(line, e));
                }
                Ok(None) => {
                    self.done = true;
                    return Some(Record {
                        line,
                        body: Body::Truncated(bytes),
                    });
                }
                Ok(Some(b)) => b,
            };
            take(&mut bytes, &mut len, &[b]);
        }
        let body = if len > MAX_RECORD_BYTES as u64 {
            Body::TooLong(len)
        } else {
            Body::Bytes(bytes)
        };
        Some(Record { line, body })
    }
}

/// Reads a whole small file (a staff list), naming it in the error.
pub fn read_small(path: &Path) -> Result<String, String> {
    let mut s = String::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut s))
        .map_err(|e| format!("无法读取 `{}`：{e}", path.display()))?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &str) -> Vec<(u64, String)> {
        Lines::new(input.as_bytes())
            .map(|r| match r.body {
                Body::Bytes(b) => (r.line, String::from_utf8(b).unwrap()),
                _ => panic!("unexpected body"),
            })
            .collect()
    }

    #[test]
    fn line_breaks() {
        let cases: &[(&str, &[&str])] = &[
            ("a\nb\n", &["a", "b"]),
            ("a\r\nb", &["a", "b"]),
            ("a\rb\rc", &["a", "b", "c"]),
            ("a\n\nb\n", &["a", "", "b"]),
            ("a\r\r\nb", &["a", "", "b"]),
            ("", &[]),
        ];
        for (input, want) in cases {
            let got: Vec<String> = lines(input).into_iter().map(|(_, s)| s).collect();
            assert_eq!(&got, want, "{input:?}");
        }
    }

    #[test]
    fn long_lines_are_not_kept() {
        let big = format!("{}\nok\n", "x".repeat(MAX_RECORD_BYTES + 10));
        let got: Vec<Record> = Lines::new(big.as_bytes()).collect();
        assert!(matches!(got[0].body, Body::TooLong(n) if n == MAX_RECORD_BYTES as u64 + 10));
        assert!(matches!(&got[1].body, Body::Bytes(b) if b == b"ok"));
        assert_eq!(got[1].line, 2);
    }

    #[test]
    fn array_items() {
        let input = "[\n {\"a\":\"}\\\"\"},\n {\"b\":[1,{}]}\n, {\"c\":";
        let got: Vec<Record> = ArrayItems::new(input.as_bytes()).collect();
        assert_eq!(got.len(), 3);
        assert!(matches!(&got[0].body, Body::Bytes(b) if b == b"{\"a\":\"}\\\"\"}"));
        assert_eq!((got[0].line, got[1].line, got[2].line), (2, 3, 4));
        assert!(matches!(&got[2].body, Body::Truncated(_)));
        let scalars: Vec<Record> = ArrayItems::new(&b"[123, true ,{}]"[..]).collect();
        let bodies: Vec<&[u8]> = scalars
            .iter()
            .map(|r| match &r.body {
                Body::Bytes(b) => b.as_slice(),
                _ => panic!("unexpected body"),
            })
            .collect();
        assert_eq!(bodies, [&b"123"[..], b"true", b"{}"]);
    }
}
