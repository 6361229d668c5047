//! Policy files as they are at a git revision, for `akar diff --base REV`: the
//! same paths as on the command line, read with `git` from the repository the
//! command runs in, so a pull request's CI can compare with its base branch
//! without a second checkout.

use std::path::{Path, PathBuf};
use std::process::Command;

use miette::Diagnostic;
use thiserror::Error;

use crate::source::Sources;

#[derive(Debug, Error, Diagnostic)]
pub enum GitError {
    #[error("cannot run `git`: {problem}")]
    #[diagnostic(
        code(akar::git::unavailable),
        help(
            "`--base` reads the policies at a revision with git; install git, or compare two directories: `akar diff OLD NEW`"
        )
    )]
    Unavailable { problem: String },
    #[error("`{rev}` is not a commit of this git repository{detail}")]
    #[diagnostic(
        code(akar::git::unknown_revision),
        help(
            "name a branch, tag or commit (e.g. `origin/main`, `HEAD~1`); in CI, fetch it first: `git fetch origin main`"
        )
    )]
    UnknownRevision { rev: String, detail: String },
    #[error("`{path}` at `{rev}` is not UTF-8 text")]
    #[diagnostic(code(akar::git::not_text), help("policy files are UTF-8 text"))]
    NotText { rev: String, path: String },
    #[error("`git {command}` failed: {problem}")]
    #[diagnostic(code(akar::git::failed))]
    Failed { command: String, problem: String },
}

/// The policy files of `paths` (files, or directories of `.policy` files, as
/// [`Sources::load`] reads them) as they are at `rev`, each named `REV:PATH`.
/// A path `rev` does not have contributes nothing: the change adds it.
pub fn load_at(rev: &str, paths: &[PathBuf]) -> Result<Sources, GitError> {
    git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{rev}^{{commit}}"),
    ])
    .map_err(|e| match e {
        GitError::Failed { problem, .. } => GitError::UnknownRevision {
            rev: rev.to_string(),
            detail: if problem.starts_with("it exited") {
                String::new()
            } else {
                format!(" ({problem})")
            },
        },
        other => other,
    })?;
    let mut sources = Sources::default();
    for path in paths {
        for file in files_at(rev, path)? {
            let bytes = git_bytes(&["show", &format!("{rev}:./{file}")])?;
            let text = String::from_utf8(bytes).map_err(|_| GitError::NotText {
                rev: rev.to_string(),
                path: file.clone(),
            })?;
            let text = text
                .strip_prefix('\u{feff}')
                .map_or(text.clone(), str::to_string);
            sources.add(format!("{rev}:{file}"), text);
        }
    }
    Ok(sources)
}

/// The policy files `path` names at `rev`, relative to the working directory:
/// the file itself, or a directory's `.policy` files sorted by name; none when
/// `rev` has no such path.
fn files_at(rev: &str, path: &Path) -> Result<Vec<String>, GitError> {
    let shown = path.display().to_string();
    let shown = shown.trim_end_matches('/');
    let kind = match git(&["cat-file", "-t", &format!("{rev}:./{shown}")]) {
        Ok(kind) => kind,
        Err(GitError::Failed { .. }) => return Ok(Vec::new()),
        Err(other) => return Err(other),
    };
    if kind.trim() != "tree" {
        return Ok(vec![shown.to_string()]);
    }
    let listing = git(&["ls-tree", rev, "--", &format!("{shown}/")])?;
    let mut files: Vec<String> = listing
        .lines()
        .filter_map(|line| {
            let (meta, name) = line.split_once('\t')?;
            let is_file = meta.split_whitespace().nth(1) == Some("blob");
            (is_file && name.ends_with(".policy")).then(|| name.to_string())
        })
        .collect();
    files.sort();
    Ok(files)
}

fn git(args: &[&str]) -> Result<String, GitError> {
    let bytes = git_bytes(args)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn git_bytes(args: &[&str]) -> Result<Vec<u8>, GitError> {
    let output = Command::new("git")
        .args(args)
        .output()
        .map_err(|e| GitError::Unavailable {
            problem: e.to_string(),
        })?;
    if output.status.success() {
        return Ok(output.stdout);
    }
    let problem = String::from_utf8_lossy(&output.stderr).trim().to_string();
    Err(GitError::Failed {
        command: args.join(" "),
        problem: if problem.is_empty() {
            format!("it exited with {}", output.status)
        } else {
            problem
        },
    })
}
