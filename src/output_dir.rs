//! `egwc build --output-dir DIR`: one file per object, and the directory replaced as a whole, so a
//! reader (`kubectl apply --prune -f DIR`, a GitOps controller) sees the old output or the
//! new one, never a mix, and a failed build leaves the old one. The files are written into
//! a hidden directory beside DIR, which is then swapped with DIR in one step where the
//! platform can (`renameat2(RENAME_EXCHANGE)` on Linux), else by two renames. A directory
//! egwc did not write (no marker file) is never replaced. `egwc import --output-dir DIR` writes the
//! same way into a new or empty directory, which it never replaces.

use std::path::{Path, PathBuf};

/// The marker file that says a directory was written by egwc and may be replaced.
const MARKER: &str = ".egwc-output";
const MARKER_TEXT: &str =
    "This directory is written by `egwc build -o`; egwc replaces it as a whole.\n";

/// Replaces `dir` with a directory holding `files` (name, contents). Fails with a message
/// that says why, leaving `dir` as it was.
pub fn replace(
    dir: &Path,
    files: impl IntoIterator<Item = (String, String)>,
) -> Result<(), String> {
    stage(dir, files, Mode::Replace)
}

/// Creates `dir` holding `files` (`egwc import --output-dir DIR`): `dir` must not exist or be empty,
/// as the files are the user's to edit from then on and are never replaced. Written the same
/// way, then renamed into place: `dir` holds all of them or none.
pub fn create(dir: &Path, files: impl IntoIterator<Item = (String, String)>) -> Result<(), String> {
    stage(dir, files, Mode::Create)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `build -o`: a directory egwc wrote (its marker) is swapped for the new one.
    Replace,
    /// `import -o`: a new or empty directory only.
    Create,
}

/// Writes `files` into a hidden directory beside `dir`, then puts it in `dir`'s place.
fn stage(
    dir: &Path,
    files: impl IntoIterator<Item = (String, String)>,
    mode: Mode,
) -> Result<(), String> {
    let dir = resolve(dir)?;
    let parent = dir.parent().expect("a resolved directory has a parent");
    let base = dir
        .file_name()
        .expect("a resolved directory has a name")
        .to_string_lossy()
        .into_owned();
    let io = |what: &str, path: &Path, e: std::io::Error| {
        format!("cannot {what} {}: {e}", path.display())
    };
    let existed = dir.exists();
    if existed {
        let is_ours = dir.join(MARKER).exists();
        let is_empty = std::fs::read_dir(&dir)
            .map_err(|e| io("read", &dir, e))?
            .next()
            .is_none();
        match mode {
            Mode::Replace if !is_ours && !is_empty => {
                return Err(format!(
                    "{} exists and was not written by egwc; refusing to replace it (choose a new \
or empty directory)",
                    dir.display()
                ));
            }
            Mode::Create if !is_empty => {
                return Err(format!(
                    "{} exists and is not empty; egwc import writes a new directory and never \
replaces files (choose a new or empty directory)",
                    dir.display()
                ));
            }
            _ => {}
        }
    }
    std::fs::create_dir_all(parent).map_err(|e| io("create", parent, e))?;
    remove_leftovers(parent, &base);
    let staging = parent.join(format!(".{base}.egwc-new-{}", std::process::id()));
    let written = (|| {
        std::fs::create_dir(&staging).map_err(|e| io("create", &staging, e))?;
        for (name, contents) in files {
            let path = staging.join(name);
            std::fs::write(&path, contents).map_err(|e| io("write", &path, e))?;
        }
        match mode {
            Mode::Replace => {
                let marker = staging.join(MARKER);
                std::fs::write(&marker, MARKER_TEXT).map_err(|e| io("write", &marker, e))?;
                swap_in(&staging, &dir, parent, &base)
            }
            Mode::Create => {
                if existed {
                    std::fs::remove_dir(&dir)
                        .map_err(|e| io("replace the empty directory", &dir, e))?;
                }
                std::fs::rename(&staging, &dir).map_err(|e| io("create", &dir, e))
            }
        }
    })();
    if let Err(e) = written {
        let _ = remove_ours(&staging);
        return Err(e);
    }
    Ok(())
}

/// The directory to replace: a symbolic link is followed, so that it stays a link to the
/// new output. `.`, `..` and directories above the working directory are refused, as they
/// cannot be swapped as a whole.
fn resolve(dir: &Path) -> Result<PathBuf, String> {
    let is_link = std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_symlink());
    let resolved = if is_link {
        std::fs::canonicalize(dir)
            .map_err(|e| format!("cannot follow the symbolic link {}: {e}", dir.display()))?
    } else {
        std::path::absolute(dir).map_err(|e| format!("cannot use {}: {e}", dir.display()))?
    };
    let names_a_directory = dir
        .components()
        .next_back()
        .is_some_and(|c| matches!(c, std::path::Component::Normal(_)));
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    let real = std::fs::canonicalize(&resolved).unwrap_or_else(|_| resolved.clone());
    let holds_cwd = cwd.is_some_and(|cwd| cwd.starts_with(&real));
    if !names_a_directory || holds_cwd || resolved.parent().is_none() {
        return Err(format!(
            "-o {} would replace the directory you are in (or one above it) as a whole; name a \
directory of its own, such as `--output-dir manifests`",
            dir.display()
        ));
    }
    Ok(resolved)
}

/// Puts `staging` in the place of `dir`, and removes the previous output.
fn swap_in(staging: &Path, dir: &Path, parent: &Path, base: &str) -> Result<(), String> {
    let io = |what: &str, path: &Path, e: std::io::Error| {
        format!("cannot {what} {}: {e}", path.display())
    };
    if !dir.exists() {
        return std::fs::rename(staging, dir).map_err(|e| io("create", dir, e));
    }
    // `staging` holds the previous output after the swap.
    let retired = if exchange(staging, dir) {
        staging.to_path_buf()
    } else {
        let retired = parent.join(format!(".{base}.egwc-old-{}", std::process::id()));
        std::fs::rename(dir, &retired).map_err(|e| io("move aside", dir, e))?;
        if let Err(e) = std::fs::rename(staging, dir) {
            // Put the previous output back: nothing is lost.
            let _ = std::fs::rename(&retired, dir);
            return Err(io("replace", dir, e));
        }
        retired
    };
    remove_ours(&retired).map_err(|e| {
        format!(
            "the manifests are written to {}, but the previous output could not be removed from \
{}: {e}; remove it, as `kubectl apply -R` would read it",
            dir.display(),
            retired.display()
        )
    })
}

/// Swaps two directories in one step; `false` where the platform or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let (Ok(a), Ok(b)) = (
        CString::new(a.as_os_str().as_bytes()),
        CString::new(b.as_os_str().as_bytes()),
    ) else {
        return false;
    };
    // SAFETY: both paths are NUL-terminated strings that outlive the call.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    result == 0
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> bool {
    false
}

/// Removes a directory egwc wrote, also when its user made it read-only (`chmod 500`).
fn remove_ours(dir: &Path) -> std::io::Result<()> {
    if std::fs::remove_dir_all(dir).is_ok() || !dir.exists() {
        return Ok(());
    }
    let mut permissions = std::fs::metadata(dir)?.permissions();
    #[allow(clippy::permissions_set_readonly_false)] // owner-writable, what removal needs
    permissions.set_readonly(false);
    std::fs::set_permissions(dir, permissions)?;
    std::fs::remove_dir_all(dir)
}

/// Removes what an earlier run that was killed left beside DIR: `.DIR.egwc-new-PID` (a
/// build cut short while writing) and `.DIR.egwc-old-PID` (between two renames), for a PID
/// that no longer runs.
fn remove_leftovers(parent: &Path, base: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = [".egwc-new-", ".egwc-old-"].iter().find_map(|kind| {
            name.strip_prefix(&format!(".{base}{kind}"))
                .filter(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        });
        let Some(pid) = pid else {
            continue;
        };
        if !running(pid) {
            let _ = remove_ours(&entry.path());
        }
    }
}

/// Whether a process with this id runs (so its output directory is being written).
#[cfg(target_os = "linux")]
fn running(pid: &str) -> bool {
    Path::new("/proc").join(pid).exists()
}

#[cfg(not(target_os = "linux"))]
fn running(pid: &str) -> bool {
    pid == std::process::id().to_string()
}
