//! Policy source files: loading them (a directory means every `.policy` in it) and
//! locating byte offsets as lines.

use std::path::{Path, PathBuf};

use miette::{Diagnostic, NamedSource};
use thiserror::Error;

/// Index of a file in a [`Sources`].
pub type FileId = usize;

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user wrote it, used in messages and rule labels.
    pub name: String,
    pub text: String,
}

/// The files of one policy set, in order.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
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
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        self.files.len() - 1
    }

    pub fn name(&self, file: FileId) -> &str {
        self.files
            .get(file)
            .map_or("<unknown>", |f| f.name.as_str())
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, file: FileId, offset: usize) -> usize {
        self.files.get(file).map_or(0, |f| {
            let end = offset.min(f.text.len());
            f.text.as_bytes()[..end]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1
        })
    }

    /// `FILE:LINE` of a byte offset.
    pub fn location(&self, file: FileId, offset: usize) -> String {
        format!("{}:{}", self.name(file), self.line(file, offset))
    }

    pub fn named_source(&self, file: FileId) -> NamedSource<String> {
        let (name, text) = self
            .files
            .get(file)
            .map_or(("<unknown>", String::new()), |f| {
                (f.name.as_str(), f.text.clone())
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
