//! What can be imported: the kinds, their columns with header aliases and
//! hints, and the blank templates.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Cadres,
    Units,
    Appointments,
    Measures,
    SupervisedItems,
}

impl ImportKind {
    pub const ALL: [ImportKind; 5] = [
        ImportKind::Cadres,
        ImportKind::Units,
        ImportKind::Appointments,
        ImportKind::Measures,
        ImportKind::SupervisedItems,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ImportKind::Cadres => "cadres",
            ImportKind::Units => "units",
            ImportKind::Appointments => "appointments",
            ImportKind::Measures => "measures",
            ImportKind::SupervisedItems => "supervised_items",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ImportKind::Cadres => "干部名册",
            ImportKind::Units => "单位名册",
            ImportKind::Appointments => "任职经历",
            ImportKind::Measures => "处分处理记录",
            ImportKind::SupervisedItems => "督查事项",
        }
    }

    pub fn parse(s: &str) -> Result<ImportKind> {
        Self::ALL.into_iter().find(|k| k.code() == s || k.label_zh() == s).ok_or_else(|| {
            AppError::invalid(
                "kind",
                "导入类型",
                Problem::Unknown { allowed: Self::ALL.iter().map(|k| k.label_zh().to_string()).collect() },
            )
        })
    }

    pub fn columns(self) -> &'static [Col] {
        match self {
            ImportKind::Cadres => CADRE_COLS,
            ImportKind::Units => UNIT_COLS,
            ImportKind::Appointments => APPOINTMENT_COLS,
            ImportKind::Measures => MEASURE_COLS,
            ImportKind::SupervisedItems => ITEM_COLS,
        }
    }

    /// Registry imports belong to the cadre section; measures to those who record them.
    pub fn permission(self) -> Permission {
        match self {
            ImportKind::Measures => Permission::MeasureWrite,
            ImportKind::SupervisedItems => Permission::SupervisionWrite,
            _ => Permission::RegistryImport,
        }
    }

    /// The kinds this actor may import.
    pub fn allowed(actor: &Actor) -> Vec<ImportKind> {
        ImportKind::ALL.into_iter().filter(|k| actor.can(k.permission())).collect()
    }
}

/// One spreadsheet column: its key, the header users write, accepted
/// alternative headers, and a hint for the template.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Col {
    pub key: &'static str,
    pub header: &'static str,
    pub aliases: &'static [&'static str],
    pub required: bool,
    pub hint: &'static str,
}

pub(super) const fn col(
    key: &'static str,
    header: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    hint: &'static str,
) -> Col {
    Col { key, header, aliases, required, hint }
}

pub const CADRE_COLS: &[Col] = &[
    col("name", "姓名", &[], true, "不超过 32 个字"),
    col("sex", "性别", &[], true, "男 / 女"),
    col("birth_date", "出生日期", &["出生年月日"], true, "完整日期，如 1978-05-12"),
    col(
        "id_number",
        "公民身份号码",
        &["身份证号", "身份证号码"],
        false,
        "18 位；请将该列设为文本格式，否则 Excel 会丢失后几位",
    ),
    col("ethnicity", "民族", &[], true, "如 汉族、土家族"),
    col("party_join_date", "入党时间", &["入党日期"], false, "非中共党员留空"),
    col("education", "学历", &["最高学历"], false, "研究生 / 大学本科 / 大学专科 / 中专 / 高中及以下"),
    col("degree", "学位", &[], false, "博士 / 硕士 / 学士 / 无"),
    col("unit", "工作单位", &["单位", "单位名称"], true, "须与系统中的单位全称一致"),
    col("title", "现任职务", &["职务"], false, "如 副局长；无领导职务留空"),
    col("tier", "职务层次", &[], false, "省部级 / 厅局级 / 县处级 / 乡科级"),
    col("level", "正副职", &[], false, "正职 / 副职"),
    col("since", "任现职时间", &["任现职日期"], false, "填写现任职务时必填"),
    col("rank", "职级", &[], false, "如 二级调研员"),
    col("managed_by", "管理权限", &[], true, "省管 / 市管 / 县管"),
    col("tags", "经历标签", &[], false, "多个标签用顿号分隔，如 基层工作经历、一线工作经历"),
    col("note", "备注", &[], false, ""),
];

pub const UNIT_COLS: &[Col] = &[
    col("name", "单位名称", &["单位全称"], true, "单位全称，不能与已有单位重名"),
    col("short_name", "单位简称", &["简称"], false, ""),
    col(
        "unit_type",
        "单位类型",
        &[],
        true,
        "党的机关 / 政府机关 / 人大政协机关 / 审判检察机关 / 群团机关 / 事业单位 / 国有企业 / 高等学校",
    ),
    col("jurisdiction_code", "行政区划代码", &["所属行政区划代码"], true, "6 位（县级及以上）或 9 位（乡镇）代码"),
    col("parent", "上级单位", &["上级单位名称"], false, "已有单位或本表前面各行中的单位全称"),
    col("sort_order", "排序号", &[], false, "整数，越小越靠前"),
];

pub const APPOINTMENT_COLS: &[Col] = &[
    col("id_number", "公民身份号码", &["身份证号", "身份证号码"], false, "用于确定干部；为空时按姓名和出生日期确定"),
    col("name", "姓名", &[], true, ""),
    col("birth_date", "出生日期", &[], false, "未填公民身份号码时必填"),
    col("unit", "任职单位", &["单位"], true, "单位全称"),
    col("title", "职务（职级）名称", &["职务", "职务名称"], true, "如 副县长、二级调研员"),
    col("tier", "职务层次", &[], false, "省部级 / 厅局级 / 县处级 / 乡科级"),
    col("level", "正副职", &[], false, "正职 / 副职"),
    col("rank", "职级", &[], false, ""),
    col("start_date", "任职日期", &["任职时间"], true, ""),
    col("end_date", "免职日期", &["免职时间", "离任日期"], false, "仍在任留空"),
    col("reason", "任职原因", &["任职方式"], true, "如 提拔、平职交流、试用期满转正"),
    col("end_reason", "免职原因", &[], false, ""),
    col("document_ref", "任免文号", &["文号"], false, "如 宜组干〔2023〕12号"),
];

pub const MEASURE_COLS: &[Col] = &[
    col("id_number", "公民身份号码", &["身份证号", "身份证号码"], false, "用于确定干部；为空时按姓名和出生日期确定"),
    col("name", "姓名", &[], true, ""),
    col("birth_date", "出生日期", &[], false, "未填公民身份号码时必填"),
    col(
        "kind",
        "措施种类",
        &["种类"],
        true,
        "提醒谈话 / 批评教育 / 责令检查 / 函询 / 书面说明 / 诫勉 / 通报 / 组织处理 / 党纪处分 / 政务处分 / 年度考核",
    ),
    col("type", "具体类型", &["类型", "处分类型"], false, "如 记过、严重警告、免职、基本称职；无细分类型的留空"),
    col("decided_on", "决定日期", &[], true, ""),
    col("effective_on", "生效日期", &[], false, "不填同决定日期"),
    col("deciding_body", "决定机关", &[], true, "如 宜昌市纪委监委"),
    col("basis", "事由和依据", &["事由"], true, "不超过 500 字"),
    col("document_ref", "决定文号", &["文号"], false, ""),
    col("probation_years", "察看年限", &[], false, "留党察看填 1 或 2"),
    col("period_months", "处分期（月）", &[], false, "合并确定政务处分期时填写"),
    col("reply_due", "回复期限", &[], false, "函询、书面说明必填"),
    col("via_accountability", "属于问责", &["问责"], false, "是 / 否"),
];

pub const ITEM_COLS: &[Col] = &[
    col("title", "事项名称", &["督查事项"], true, "不超过 200 字"),
    col("source", "事项来源", &["来源"], true, "会议或文件，如 市委常委会（2026年第12次）、宜办发〔2026〕5号"),
    col("lead_unit", "牵头单位", &[], true, "单位全称"),
    col("co_units", "配合单位", &[], false, "多个单位用顿号分隔"),
    col("principal", "主要负责人", &[], false, ""),
    col("leader_in_charge", "分管负责人", &["分管领导"], false, ""),
    col("direct_responsible", "直接责任人", &[], false, ""),
    col("deadline", "完成时限", &[], true, "日期，如 2026-12-31"),
    col(
        "milestones",
        "节点及时限",
        &["节点"],
        false,
        "每个节点写“名称 日期”，多个节点用分号分隔，如 完成方案 2026-03-31；开工 2026-06-30",
    ),
];

pub fn column_letter(mut idx: usize) -> String {
    let mut s = String::new();
    loop {
        s.insert(0, (b'A' + (idx % 26) as u8) as char);
        if idx < 26 {
            break;
        }
        idx = idx / 26 - 1;
    }
    s
}

/// A blank template: the headers on the first sheet, hints on the second.
/// The blank workbook for one kind, for those who may import it.
pub fn template(actor: &Actor, kind: ImportKind) -> Result<Vec<u8>> {
    crate::access::require(actor, kind.permission())?;
    let cols = kind.columns();
    let headers: Vec<String> = cols.iter().map(|c| c.header.to_string()).collect();
    let hints: Vec<Vec<String>> = cols
        .iter()
        .map(|c| vec![c.header.to_string(), if c.required { "必填".into() } else { "选填".into() }, c.hint.to_string()])
        .collect();
    crate::exports::workbook(&[
        crate::exports::SheetData {
            name: kind.label_zh().into(),
            headers,
            rows: vec![],
            text_columns: text_cols(kind),
        },
        crate::exports::SheetData {
            name: "填写说明".into(),
            headers: vec!["列名".into(), "是否必填".into(), "说明".into()],
            rows: hints,
            text_columns: vec![],
        },
    ])
}

/// Columns forced to text format so Excel keeps ID numbers and codes intact.
pub fn text_cols(kind: ImportKind) -> Vec<usize> {
    kind.columns()
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.key, "id_number" | "jurisdiction_code"))
        .map(|(i, _)| i)
        .collect()
}
