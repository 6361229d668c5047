//! Policy source files: loading them (a directory means every `.policy` in it) and
//! locating byte offsets as lines.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource};
use thiserror::Error;

/// Index of a file in a [`Sources`].
pub type FileId = usize;

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user wrote it, used in messages and rule labels.
    pub name: String,
    /// Shared, so that each diagnostic rendered against the file needs no copy.
    pub text: Arc<str>,
    lines: LineIndex,
}

impl SourceFile {
    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.lines.line(offset)
    }

    /// The byte range of 1-based line `line`, without its line break.
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.lines.start(line).unwrap_or(0).min(self.text.len());
        let rest = self.text.get(start..).unwrap_or_default();
        start..start + rest.find('\n').unwrap_or(rest.len())
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let line = self.lines.line(offset);
        let start = self.lines.start(line).unwrap_or(0);
        let before = self
            .text
            .get(start..offset.min(self.text.len()))
            .unwrap_or_default();
        (line, before.chars().count() + 1)
    }
}

/// The files of one policy set, in order. Files are only added, never changed,
/// so each file's line index is made once.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

/// Where each line of a text starts: a byte offset's line is found by binary
/// search, so numbering many places costs no more than reading the text once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|n| n + 1))
            .collect();
        LineIndex { starts }
    }

    /// The 1-based line of a byte offset (an offset past the end is on the last line).
    pub fn line(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(at) => at + 1,
            Err(after) => after,
        }
    }

    /// The byte offset where 1-based line `line` starts, if there is one.
    pub fn start(&self, line: usize) -> Option<usize> {
        self.starts.get(line.checked_sub(1)?).copied()
    }
}

#[derive(Debug, Error, Diagnostic)]
pub enum LoadError {
    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(
        code(akar::io::read),
        help("check that the path exists and is readable")
    )]
    Read { path: String, reason: String },

    #[error("`{path}` holds no `.policy` files")]
    #[diagnostic(code(akar::io::empty_dir), help("policy files end in `.policy`"))]
    EmptyDir { path: String },
}

impl Sources {
    /// Loads files and directories in the order given; a directory contributes its
    /// `.policy` files (not recursively) sorted by name.
    pub fn load(paths: &[PathBuf]) -> Result<Sources, LoadError> {
        let mut sources = Sources::default();
        for path in paths {
            if path.is_dir() {
                let files = policy_files(path)?;
                for file in files {
                    sources.load_file(&file)?;
                }
            } else {
                sources.load_file(path)?;
            }
        }
        Ok(sources)
    }

    fn load_file(&mut self, path: &Path) -> Result<FileId, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| read_error(path, &e))?;
        // A byte-order mark is not part of the policy.
        let text = text
            .strip_prefix('\u{feff}')
            .map(str::to_string)
            .unwrap_or(text);
        Ok(self.add(path.display().to_string(), text))
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text: String = text.into();
        self.files.push(SourceFile {
            name: name.into(),
            lines: LineIndex::new(&text),
            text: text.into(),
        });
        self.files.len() - 1
    }

    /// The files, in order.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    pub fn file(&self, file: FileId) -> Option<&SourceFile> {
        self.files.get(file)
    }

    pub fn name(&self, file: FileId) -> &str {
        self.files
            .get(file)
            .map_or("<unknown>", |f| f.name.as_str())
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, file: FileId, offset: usize) -> usize {
        self.files.get(file).map_or(0, |f| f.line(offset))
    }

    /// `FILE:LINE` of a byte offset.
    pub fn location(&self, file: FileId, offset: usize) -> String {
        format!("{}:{}", self.name(file), self.line(file, offset))
    }

    pub fn named_source(&self, file: FileId) -> NamedSource<Arc<str>> {
        let (name, text) = self
            .files
            .get(file)
            .map_or(("<unknown>", Arc::from("")), |f| {
                (f.name.as_str(), Arc::clone(&f.text))
            });
        NamedSource::new(name, text)
    }
}

fn policy_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|e| read_error(dir, &e))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "policy"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(LoadError::EmptyDir {
            path: dir.display().to_string(),
        });
    }
    Ok(files)
}

fn read_error(path: &Path, error: &std::io::Error) -> LoadError {
    LoadError::Read {
        path: path.display().to_string(),
        reason: error.to_string().to_lowercase(),
    }
}
