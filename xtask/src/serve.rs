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
        let response = respond(&out_dir, request.url());
        let _ = request.respond(response);
    }
    Ok(())
}

fn respond(root: &Path, url: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
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
            tiny_http::Response::from_data(bytes).with_header(header)
        }
        Err(_) => {
            let not_found =
                std::fs::read(root.join("404.html")).unwrap_or_else(|_| b"not found".to_vec());
            tiny_http::Response::from_data(not_found).with_status_code(404)
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
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
