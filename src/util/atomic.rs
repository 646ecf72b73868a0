//! Atomic file writes: the new content goes to a temp file beside the target, is fsynced,
//! then renamed into place, so a crash leaves either the old file or the new one.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::{Error, Result};

/// Write `bytes` to `path` atomically: a temp file in the same directory, fsynced, then
/// renamed over the target, so a crash leaves either the old file or the new one.
/// An existing file is only replaced when `force` is set.
pub fn write_atomic(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    write_atomic_with(path, force, |w| w.write_all(bytes))
}

/// Like [`write_atomic`], with the content produced by a writer callback.
///
/// The temp file is `.NAME.tmp-PID` beside the target: hidden, never ending in the target's
/// extension, and refused by every loader if half-written. It is removed when the write
/// fails; a process killed mid-write leaves it behind, and the next write to the same
/// target removes it once that process is gone. A replaced file keeps its permissions.
/// Without `force` the new file is moved into place only if the name is still free, so
/// nothing is replaced even if the target appeared meanwhile.
pub fn write_atomic_with(
    path: &Path,
    force: bool,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    super::not_a_directory(path)?;
    if !force && path.exists() {
        return Err(Error::Exists {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prefix = temp_prefix(path);
    remove_stale_temps(&dir, &prefix);
    let written = write_temp(path, &dir, &prefix, fill).and_then(|tmp| persist(tmp, path, force));
    match written {
        Ok(()) => {
            // The new name is durable only once the directory entry is.
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && !force => Err(Error::Exists {
            path: path.to_path_buf(),
        }),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// `.NAME.tmp-`: the temp files of `path` are this and a process id.
fn temp_prefix(path: &Path) -> OsString {
    let mut prefix = OsString::from(".");
    prefix.push(path.file_name().unwrap_or(OsStr::new("out")));
    prefix.push(".tmp-");
    prefix
}

/// The content, complete and fsynced, in a new temp file beside `path`, which is removed
/// again if anything fails (dropping a [`NamedTempFile`] deletes it).
fn write_temp(
    path: &Path,
    dir: &Path,
    prefix: &OsStr,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<NamedTempFile> {
    let mut name = prefix.to_os_string();
    name.push(std::process::id().to_string());
    // Our own pid's leftover can only be stale; the temp file is then created new, which
    // refuses to follow a link planted at its name.
    let _ = std::fs::remove_file(dir.join(&name));
    let mut builder = tempfile::Builder::new();
    // The name is fixed, so that stale temp files can be told by their process id.
    builder.prefix(&name).rand_bytes(0);
    #[cfg(unix)]
    {
        // What a new file gets, less the umask (tempfile's default, 0600, is for secrets).
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let tmp = builder.tempfile_in(dir)?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Keep the permissions of the file being replaced.
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    let mut w = std::io::BufWriter::new(tmp);
    fill(&mut w)?;
    let tmp = w.into_inner().map_err(|e| e.into_error())?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Move the temp file to `path`: over an existing file with `force`, else only while the
/// name is free (an `AlreadyExists` error otherwise).
fn persist(tmp: NamedTempFile, path: &Path, force: bool) -> std::io::Result<()> {
    if force {
        return tmp.persist(path).map(drop).map_err(|e| e.error);
    }
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(()),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Err(e.error),
        // A file system with neither a no-replace rename nor hard links: the check before
        // the write has to do.
        Err(e) => e.file.persist(path).map(drop).map_err(|e| e.error),
    }
}

/// Remove `PREFIX<pid>` temp files left by processes that no longer run (killed mid-write).
/// Only where a process table can be asked (`/proc`); elsewhere they stay, hidden.
fn remove_stale_temps(dir: &Path, prefix: &OsStr) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .as_encoded_bytes()
            .strip_prefix(prefix.as_encoded_bytes())
            .and_then(|p| std::str::from_utf8(p).ok())
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_refuses_to_overwrite_without_force() {
        let dir = std::env::temp_dir().join(format!("stance-util-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("f.txt");
        write_atomic(&p, b"one", false).unwrap();
        assert!(matches!(
            write_atomic(&p, b"two", false),
            Err(Error::Exists { .. })
        ));
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_atomic(&p, b"two", true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A fresh directory for one test.
    fn scratch(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("stance-atomic-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_gets_the_usual_mode_and_a_replaced_one_keeps_its_own() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("mode");
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // A file created the ordinary way, under the same umask.
        let usual = dir.join("usual");
        std::fs::File::create(&usual).unwrap();
        let p = dir.join("m.model");
        write_atomic(&p, b"one", false).unwrap();
        assert_eq!(mode(&p), mode(&usual), "not tempfile's 0600");
        for kept in [0o600, 0o640, 0o755] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(kept)).unwrap();
            write_atomic(&p, b"two", true).unwrap();
            assert_eq!(mode(&p), kept);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temp_file() {
        let dir = scratch("fail");
        let p = dir.join("m.model");
        write_atomic(&p, b"old", false).unwrap();
        for force in [false, true] {
            let target = if force {
                p.clone()
            } else {
                dir.join("new.model")
            };
            let e = write_atomic_with(&target, force, |w| {
                w.write_all(b"half")?;
                Err(std::io::Error::other("disk full"))
            })
            .unwrap_err();
            assert!(e.to_string().contains("disk full"), "{e}");
            let names: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(names, ["m.model"], "force {force}");
            assert_eq!(std::fs::read(&p).unwrap(), b"old");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_temp_file_is_hidden_named_after_the_target_and_the_process() {
        let dir = scratch("name");
        let p = dir.join("m.model");
        let pid = std::process::id();
        let mut seen = Vec::new();
        write_atomic_with(&p, false, |w| {
            seen = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            w.write_all(b"x")
        })
        .unwrap();
        assert_eq!(seen, [format!(".m.model.tmp-{pid}")]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
