//! `cargo xtask serve`: build, serve the site on 127.0.0.1, rebuild on change.
//!
//! Watching polls modification times twice a second instead of using OS file
//! events: it is dependency-free, behaves the same on every platform and editor
//! (atomic saves, network drives), and the trees watched are small.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

use crate::site::{self, BuildOptions};

pub fn run(options: &BuildOptions, port: u16) -> Result<()> {
    match site::build(options) {
        Ok(report) => crate::print_report(&report),
        Err(err) => eprintln!("错误：{err:#}\n（修正后保存即可自动重新构建）"),
    }
    let server = tiny_http::Server::http(("127.0.0.1", port))
        .map_err(|e| anyhow::anyhow!("无法监听 127.0.0.1:{port}：{e}"))?;
    println!("手册地址：http://127.0.0.1:{port}/  （Ctrl+C 退出）");

    let watched = vec![
        options.book_dir.clone(),
        options.repo_root.join("checker-wasm"),
    ];
    let rebuild_options = options.clone();
    std::thread::spawn(move || watch(&watched, &rebuild_options));

    let out_dir = options.out_dir.clone();
    for request in server.incoming_requests() {
        let gzip = request.headers().iter().any(|h| {
            h.field.equiv("Accept-Encoding")
                && h.value.as_str().split(',').any(|e| e.trim() == "gzip")
        });
        let response = respond(&out_dir, request.url(), gzip);
        let _ = request.respond(response);
    }
    Ok(())
}

/// The file at `url`, gzipped when the browser takes it and the type is text
/// or wasm (the checker's engine is most of the bytes a page loads).
fn respond(root: &Path, url: &str, gzip: bool) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path);
    let relative = decoded.trim_start_matches('/');
    if relative.split('/').any(|part| part == "..") {
        return tiny_http::Response::from_string("forbidden").with_status_code(403);
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(bytes) => {
            let content_type = content_type(&file);
            let header =
                tiny_http::Header::from_bytes(&b"Content-Type"[..], content_type.as_bytes())
                    .expect("valid header");
            let compressible =
                content_type.starts_with("text/") || content_type.starts_with("application/");
            match gzip
                .then_some(())
                .filter(|()| compressible)
                .and_then(|()| gzipped(&bytes))
            {
                Some(packed) => {
                    let encoding =
                        tiny_http::Header::from_bytes(&b"Content-Encoding"[..], &b"gzip"[..])
                            .expect("valid header");
                    tiny_http::Response::from_data(packed)
                        .with_header(header)
                        .with_header(encoding)
                }
                None => tiny_http::Response::from_data(bytes).with_header(header),
            }
        }
        Err(_) => {
            let not_found =
                std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found".to_vec());
            tiny_http::Response::from_data(not_found).with_status_code(404)
        }
    }
}

fn gzipped(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        // Required for `WebAssembly.compileStreaming`.
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn watch(dirs: &[PathBuf], options: &BuildOptions) {
    let mut last = latest_change(dirs);
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let now = latest_change(dirs);
        if now > last {
            last = now;
            println!("检测到改动，重新构建……");
            match site::build(options) {
                Ok(report) => crate::print_report(&report),
                Err(err) => eprintln!("错误：{err:#}\n（上一次成功构建的站点保持不变）"),
            }
            last = last.max(latest_change(dirs));
        }
    }
}

/// Newest modification time under `dirs`, skipping build outputs.
fn latest_change(dirs: &[PathBuf]) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut stack: Vec<PathBuf> = dirs.to_vec();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir).context("watch") else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name == "target" || name == "generated" || name.to_string_lossy().starts_with('.') {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else if let Ok(modified) = meta.modified() {
                newest = newest.max(modified);
            }
        }
    }
    newest
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    fn header(r: &tiny_http::Response<std::io::Cursor<Vec<u8>>>, name: &str) -> Option<String> {
        r.headers()
            .iter()
            .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
            .map(|h| h.value.to_string())
    }

    /// `compileStreaming` needs `application/wasm`; text and wasm go out
    /// gzipped to a browser that takes gzip, and unchanged otherwise.
    #[test]
    fn wasm_type_and_gzip() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bytes: Vec<u8> = b"\0asm\x01\0\0\0".repeat(100);
        std::fs::write(dir.join("checker-engine.wasm"), &bytes).unwrap();
        let cases = [
            ("/checker-engine.wasm", true, "application/wasm", true),
            ("/checker-engine.wasm?v=1", false, "application/wasm", false),
        ];
        for (url, gzip, ty, packed) in cases {
            let r = respond(&dir, url, gzip);
            assert_eq!(header(&r, "Content-Type").as_deref(), Some(ty), "{url}");
            assert_eq!(header(&r, "Content-Encoding").is_some(), packed, "{url}");
            let mut body = Vec::new();
            r.into_reader().read_to_end(&mut body).unwrap();
            if packed {
                let mut plain = Vec::new();
                flate2::read::GzDecoder::new(&body[..])
                    .read_to_end(&mut plain)
                    .unwrap();
                body = plain;
            }
            assert_eq!(body, bytes, "{url}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
