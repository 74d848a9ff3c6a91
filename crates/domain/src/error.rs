//! Validation problems and their Chinese messages — the one place where a bad
//! field or row is put into words for users.

use serde::Serialize;

/// What is wrong with one value. Stable codes go to the API; the Chinese
/// sentence is rendered by [`Problem::message_zh`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    BadDate,
    FutureDate,
    DateOrder {
        earlier: String,
    },
    Unknown {
        allowed: Vec<String>,
    },
    BadIdNumber,
    IdNumberMismatch {
        detail: String,
    },
    Duplicate,
    DuplicateInFile {
        first_row: usize,
    },
    NotFound,
    BadFormat {
        expected: String,
    },
    OutOfRange {
        min: i64,
        max: i64,
    },
    Conflict {
        detail: String,
    },
    WeakPassword,
    /// A character no stored text may hold (a control character, a bidi
    /// override), named by its code point.
    BadCharacter {
        code_point: String,
    },
    /// A JSON value of the wrong kind (a number where text belongs).
    WrongType {
        expected: String,
    },
    /// A JSON member the input does not have.
    UnknownField,
    /// A JSON member given twice: which one was meant is not guessed.
    DuplicateField,
}

impl Problem {
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong { .. } => "too_long",
            Problem::TooShort { .. } => "too_short",
            Problem::BadDate => "bad_date",
            Problem::FutureDate => "future_date",
            Problem::DateOrder { .. } => "date_order",
            Problem::Unknown { .. } => "unknown_value",
            Problem::BadIdNumber => "bad_id_number",
            Problem::IdNumberMismatch { .. } => "id_number_mismatch",
            Problem::Duplicate => "duplicate",
            Problem::DuplicateInFile { .. } => "duplicate_in_file",
            Problem::NotFound => "not_found",
            Problem::BadFormat { .. } => "bad_format",
            Problem::OutOfRange { .. } => "out_of_range",
            Problem::Conflict { .. } => "conflict",
            Problem::WeakPassword => "weak_password",
            Problem::BadCharacter { .. } => "bad_character",
            Problem::WrongType { .. } => "wrong_type",
            Problem::UnknownField => "unknown_field",
            Problem::DuplicateField => "duplicate_field",
        }
    }

    /// The sentence after the field's label, e.g. "不能为空".
    pub fn message_zh(&self) -> String {
        match self {
            Problem::Required => "不能为空".into(),
            Problem::TooLong { max } => format!("不能超过 {max} 个字"),
            Problem::TooShort { min } => format!("不能少于 {min} 个字"),
            Problem::BadDate => "不是有效日期，应写作 YYYY-MM-DD（如 2024-03-01）".into(),
            Problem::FutureDate => "不能晚于今天".into(),
            Problem::DateOrder { earlier } => format!("不能早于{earlier}"),
            Problem::Unknown { allowed } => {
                if allowed.is_empty() {
                    "取值无法识别".into()
                } else {
                    format!("取值无法识别，可选：{}", allowed.join("、"))
                }
            }
            Problem::BadIdNumber => "不是有效的18位公民身份号码（校验位不符或格式错误）".into(),
            Problem::IdNumberMismatch { detail } => format!("与身份号码不一致：{detail}"),
            Problem::Duplicate => "已存在相同记录".into(),
            Problem::DuplicateInFile { first_row } => format!("与本文件第 {first_row} 行重复"),
            Problem::NotFound => "找不到对应记录".into(),
            Problem::BadFormat { expected } => format!("格式不正确，应为{expected}"),
            Problem::OutOfRange { min, max } => format!("应在 {min} 到 {max} 之间"),
            Problem::Conflict { detail } => detail.clone(),
            Problem::WeakPassword => "至少 10 位，且须同时包含字母和数字".into(),
            Problem::BadCharacter { code_point } => {
                format!("含有不允许的字符（{code_point}，控制字符或文字方向控制符），请删除后重新输入")
            }
            Problem::WrongType { expected } => format!("类型不正确，应为{expected}"),
            Problem::UnknownField => "不是本接口认识的字段".into(),
            Problem::DuplicateField => "出现了不止一次，无法确定以哪个为准".into(),
        }
    }
}

/// A problem attached to a named field (API name) with its Chinese label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub label: String,
    #[serde(flatten)]
    pub problem: Problem,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, label: &str, problem: Problem) -> Self {
        let message = format!("{label}{}", problem.message_zh());
        Self { field: field.to_string(), label: label.to_string(), problem, message }
    }
}

/// Collects every problem of one input so the user sees them all at once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Invalid {
    /// The first [`Invalid::LISTED`] problems, in the order found.
    pub errors: Vec<FieldError>,
    /// How many more were found and not listed: a hostile input with a
    /// hundred thousand bad elements gets a short answer, not one line each.
    pub omitted: usize,
}

impl Invalid {
    pub fn new() -> Self {
        Self::default()
    }

    /// Problems listed in one answer; the rest are only counted.
    pub const LISTED: usize = 100;

    pub fn single(field: &str, label: &str, problem: Problem) -> Self {
        Self { errors: vec![FieldError::new(field, label, problem)], omitted: 0 }
    }

    pub fn push(&mut self, field: &str, label: &str, problem: Problem) {
        if self.errors.len() < Self::LISTED {
            self.errors.push(FieldError::new(field, label, problem));
        } else {
            self.omitted += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Every problem found, listed or not.
    pub fn count(&self) -> usize {
        self.errors.len() + self.omitted
    }

    /// Runs a parser and records its problem under the field.
    pub fn take<T>(&mut self, field: &str, label: &str, r: Result<T, Problem>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.push(field, label, p);
                None
            }
        }
    }

    pub fn into_result(self) -> Result<(), Invalid> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    pub fn summary_zh(&self) -> String {
        let listed = self.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
        if self.omitted == 0 { listed } else { format!("{listed}；另有 {} 处问题未列出", self.omitted) }
    }
}

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary_zh())
    }
}

impl std::error::Error for Invalid {}
