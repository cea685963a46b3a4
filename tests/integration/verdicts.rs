//! Kept safety verdicts: a `--rules` set proven safe is not proven again while its bytes and
//! the binary are unchanged, and nothing else is trusted.

use assert_cmd::Command;
use std::path::Path;

const ANSWERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/answers/desk-worker.toml");

fn run(cache: &Path, args: &[&str]) -> (i32, String) {
    let output = Command::cargo_bin("massage-triage")
        .unwrap()
        .args(args)
        .env("MASSAGE_TRIAGE_CACHE_DIR", cache)
        .output()
        .unwrap();
    (output.status.code().unwrap(), String::from_utf8_lossy(&output.stdout).into_owned())
}

fn assess(cache: &Path, rules: &Path) -> i32 {
    run(cache, &["assess", "--rules", rules.to_str().unwrap(), "--answers", ANSWERS]).0
}

/// A copy of the built-in rules, edited.
fn copy(edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    crate::common::rules_copy(edit)
}

/// Without the cauda equina rule: unsafe (its red flags can end in a massage).
fn unsafe_copy() -> tempfile::TempDir {
    copy(|rules| {
        let start = rules.find("[[rule]]\nid = \"cauda_equina\"").unwrap();
        let end = start + 1 + rules[start + 1..].find("[[rule]]").unwrap();
        format!("{}{}", &rules[..start], &rules[end..])
    })
}

fn digest(cache: &Path, rules: &Path) -> String {
    let (_, json) = run(cache, &["rules", "check", "--format", "json", "--rules", rules.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    json["rule_set"]["sha256"].as_str().unwrap().to_owned()
}

/// The kept files whose names end in `.EXTENSION` (`safe`: verdicts, `rules`: compiled forms).
fn kept_files(cache: &Path, extension: &str) -> Vec<std::path::PathBuf> {
    let files: Vec<std::path::PathBuf> =
        std::fs::read_dir(cache).map(|d| d.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
    files.into_iter().filter(|f| f.extension().is_some_and(|e| e == extension)).collect()
}

fn verdicts(cache: &Path) -> Vec<std::path::PathBuf> {
    kept_files(cache, "safe")
}

/// A copy whose reason for the baseline rule reads `because`: safe, and told apart from the
/// built-in files (so it is parsed, or read from its own kept form).
fn reworded(because: &str) -> tempfile::TempDir {
    let old = "because = \"Swedish massage suits most back pain when nothing points elsewhere.\"";
    copy(|rules| {
        assert!(rules.contains(old));
        rules.replace(old, &format!("because = \"{because}\""))
    })
}

#[test]
fn a_kept_compiled_form_is_read_for_its_own_files_only() {
    let cache = tempfile::tempdir().unwrap();
    let answer = |rules: &Path| {
        let (code, json) = run(
            cache.path(),
            &["assess", "--format", "json", "--rules", rules.to_str().unwrap(), "--answers", ANSWERS],
        );
        assert_eq!(code, 0, "{json}");
        json
    };
    let (ours, theirs) = (reworded("Ours."), reworded("Theirs."));
    let first = answer(ours.path());
    assert!(first.contains("\"Ours.\""), "{first}");
    let form = cache.path().join(format!("{}.rules", digest(cache.path(), ours.path())));
    assert!(form.is_file(), "the compiled form is kept beside the verdict");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(form.metadata().unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(answer(ours.path()), first, "read back from the kept form, the same answer");
    // Another set's form under our digest, or a damaged one: our files are read instead, and
    // the form is kept anew.
    assert!(answer(theirs.path()).contains("\"Theirs.\""));
    let their_form = cache.path().join(format!("{}.rules", digest(cache.path(), theirs.path())));
    for planted in [std::fs::read(&their_form).unwrap(), b"damaged".to_vec(), Vec::new()] {
        std::fs::write(&form, planted).unwrap();
        assert_eq!(answer(ours.path()), first);
        assert_eq!(answer(ours.path()), first);
    }
    // Without its verdict a form is not read: the set is proven and both are kept again.
    std::fs::remove_file(cache.path().join(format!("{}.safe", digest(cache.path(), ours.path())))).unwrap();
    assert_eq!(answer(ours.path()), first);
    assert_eq!(verdicts(cache.path()).len(), 2);
    assert_eq!(kept_files(cache.path(), "rules").len(), 2);
}

#[test]
fn a_safe_set_is_kept_once_proven_and_an_unsafe_one_never() {
    let folder = tempfile::tempdir().unwrap();
    let cache = &folder.path().join("verdicts");
    let (safe, risky) = (copy(|r| r), unsafe_copy());
    assert_eq!(assess(cache, risky.path()), 2, "refused");
    assert!(verdicts(cache).is_empty(), "nothing kept for an unsafe set");
    assert_eq!(assess(cache, safe.path()), 0);
    let kept = verdicts(cache);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].file_name().unwrap().to_str().unwrap(), format!("{}.safe", digest(cache, safe.path())));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(kept[0].metadata().unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(cache.metadata().unwrap().permissions().mode() & 0o777, 0o700);
    }
    assert_eq!(assess(cache, safe.path()), 0, "answered from the kept verdict");
    // The same bytes in another folder are the same rule set.
    let elsewhere = copy(|r| r);
    assert_eq!(digest(cache, elsewhere.path()), digest(cache, safe.path()));
}

#[test]
fn a_kept_verdict_is_read_for_its_digest_and_this_binary_only() {
    let cache = tempfile::tempdir().unwrap();
    let safe = copy(|r| r);
    assert_eq!(run(cache.path(), &["rules", "check", "--rules", safe.path().to_str().unwrap()]).0, 0);
    let kept = verdicts(cache.path());
    assert_eq!(kept.len(), 1, "rules check keeps its verdict: {kept:?}");
    let verdict = std::fs::read_to_string(&kept[0]).unwrap();
    let safe_digest = digest(cache.path(), safe.path());
    // A verdict planted under an unsafe set's digest shows that the kept verdict is what is
    // read (the cache folder is trusted as the binary is: the user's own, owner-only).
    let risky = unsafe_copy();
    let risky_digest = digest(cache.path(), risky.path());
    let plant = |text: String| std::fs::write(cache.path().join(format!("{risky_digest}.safe")), text).unwrap();
    plant(verdict.replace(&safe_digest, &risky_digest));
    assert_eq!(assess(cache.path(), risky.path()), 0, "the planted verdict was read");
    // Another build, a damaged file, or one byte more in the rules: proven again, refused.
    let tool = verdict.lines().find(|l| l.starts_with("tool ")).unwrap();
    plant(verdict.replace(&safe_digest, &risky_digest).replace(tool, "tool 0.0.0 1 1"));
    assert_eq!(assess(cache.path(), risky.path()), 2, "a verdict of another binary");
    plant(verdict.replace(&safe_digest, &risky_digest).replace("safe\n", "saf"));
    assert_eq!(assess(cache.path(), risky.path()), 2, "a damaged verdict");
    plant(verdict.replace(&safe_digest, &risky_digest));
    let rules = risky.path().join("rules.toml");
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(&rules, format!("{text}\n# one more line\n")).unwrap();
    assert_eq!(assess(cache.path(), risky.path()), 2, "other bytes, another digest");
}

#[test]
fn an_empty_cache_setting_keeps_nothing() {
    let cache = tempfile::tempdir().unwrap();
    let safe = copy(|r| r);
    let output = Command::cargo_bin("massage-triage")
        .unwrap()
        .args(["assess", "--rules", safe.path().to_str().unwrap(), "--answers", ANSWERS])
        .env("MASSAGE_TRIAGE_CACHE_DIR", "")
        .env("HOME", cache.path())
        .env("XDG_CACHE_HOME", cache.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(verdicts(cache.path()).is_empty());
}
