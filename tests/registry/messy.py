"""A deliberately messy workbook, as offices really send them, for the ``City`` of factories.

Title rows in merged cells above the header, header names that differ from the template,
full-width digits and spaces in numbers, phones with spaces, dashes and +86, ID numbers stored
as numbers (one lost its X, one was rounded by Excel), county and street names instead of
codes, a 合计 footer, pre-numbered empty rows and blank trailing rows; and some rows that are
really wrong. ``FIXES`` says how a person corrects each reported cell.
"""

from pathlib import Path

from openpyxl import Workbook, load_workbook

from tests.registry.factories import credit_code, id_number, id_number_ending_in_x

ENTERPRISE_SHEET = "企业（坡头区）"
WORKER_SHEET = "骑手花名册"

CODE_MEITUAN = credit_code()
CODE_SF = credit_code()
CODE_BAD = CODE_MEITUAN[:17] + ("0" if CODE_MEITUAN[17] != "0" else "1")
CODE_UNKNOWN_REGION = credit_code()
ID_ZHANG = id_number(birth="19900315")
ID_LI = id_number_ending_in_x()  # an earlier system exported it as a number: the X is lost
ID_WU = id_number_ending_in_x(birth="19960606")  # typed with a small x and spaces
ID_ZHENG = id_number(birth="19850101", seq=11)  # odd sequence: a man
_ZHAO = id_number(birth="19910101", seq=7)
ID_ZHAO_BAD_CHECK = _ZHAO[:17] + ("1" if _ZHAO[17] != "1" else "2")
OLD_ID_ZHOU = "440804850101123"  # first-generation 15-digit number

ENTERPRISE_HEADER = ["序号", "企业（单位）名称", "统一社会信用代码", "企业类型", "行业", "品牌",
                     "总部是否在市外", "所属区县", "街道", "社区", "地址", "联系人", "联系电话",
                     "从业人数", "备注"]  # fmt: skip
ENTERPRISE_ROWS = [
    # row 5
    [1, "美团外卖南调站", " " + CODE_MEITUAN[:4] + " " + CODE_MEITUAN[4:].lower(), "站点", "外卖",
     "美团", "否", "坡头区", "南调街道", "海盛社区", "南调路 8 号", "李站长", "138 2222 0001",
     "１ ２００", ""],
    # row 6
    [2, "顺丰速运(坡头营业部)", CODE_SF, "营业部", "快递", "顺丰", "是", "坡头", "坡头镇",
     "坡头社区", "", "陈经理", "0759-3388888", "约35人", "营业部"],
    # row 7
    [3, "滴滴出行湛江服务站", None, "分公司", "网约车", "滴滴", "是", "霞山区", "新园街道", None,
     "", "", "18800001111", 40, ""],
    # row 8: the check digit is wrong
    [4, "南调电商有限公司", CODE_BAD, "电商", "电商", "", "", "坡头区", "南调街道", "", "", "", "",
     "", ""],
    # row 9: 赤坎区 is not in this city
    [5, "赤坎同城配送站", CODE_UNKNOWN_REGION, "站点", "外卖", "饿了么", "", "赤坎区", None,
     "", "", "", "", 12, ""],
    # row 10: two streets are called 海滨街道
    [6, "中通快递观海网点", None, "网点", "快递", "中通", "", None, "海滨街道", "观海社区", "", "",
     "", 8, ""],
    [7], [8], [9], [10],  # pre-numbered, otherwise empty rows
    ["合计", None, None, None, None, None, None, None, None, None, None, None, None, 1275],
]  # fmt: skip

WORKER_HEADER = ["序号", "姓名", "手机号码", "身份证号码", "性别", "岗位", "所属企业", "所属街道",
                 "所属社区", "政治面貌", "是否工会会员"]  # fmt: skip
WORKER_ROWS = [
    # row 3
    [1, "张 三", "138 0000 1234", ID_ZHANG, None, "骑手", "美团外卖南调站", "南调街道", "海盛社区",
     "中共党员", "是"],
    # row 4: the ID number lost its X on its way through another system
    [2, "李四", "139-0000-0002", ID_LI[:17], None, "快递员", "顺丰速运（坡头营业部）",
     "坡头镇", "坡头社区", "群众", "否"],
    # row 5: the ID number was rounded by Excel
    [3, "王五", "１３９００００００03", float(ID_ZHANG[:15] + "000"), None, "骑手",
     "美团外卖南调站", "南调街道", "南调社区", "群众", "否"],
    # row 6: wrong check digit
    [4, "赵六", 13900000004, ID_ZHAO_BAD_CHECK, None, "骑手", "美团外卖南调站", "南调街道",
     "海盛社区", "群众", "否"],
    # row 7: the same phone as row 3
    [5, "钱七", "13800001234", None, None, "骑手", "美团外卖南调站", "南调街道", "海盛社区", "群众",
     ""],
    # row 8: no such enterprise
    [6, "孙八", "13900000006", None, None, "骑手", "蜂鸟即配南调站", "南调街道", "海盛社区", "群众",
     ""],
    # row 9: an old 15-digit ID; no region columns: the enterprise's region is used
    [7, "周九", "13900000007", OLD_ID_ZHOU, None, "网约车司机", "滴滴出行湛江服务站", None, None,
     "预备党员", "是"],
    # row 10
    [8, "吴十", "+86 139 0000 0008", f"{ID_WU[:6]} {ID_WU[6:14]} {ID_WU[14:17]}x", None,
     "外卖员", "美团外卖南调站", "南调街道", "海盛社区", "团员", None],
    # row 11: the gender contradicts the ID number
    [9, "郑十一", "13900000009", ID_ZHENG, "女", "骑手", "美团外卖南调站", "南调街道", "海盛社区",
     "群众", "否"],
    # row 12: a digit is missing
    [10, "冯十二", "1390000001", None, None, "骑手", "美团外卖南调站", "南调街道", "海盛社区",
     "群众", "否"],
    # row 13: not an occupation of the registry
    [11, "陈十三", "13900000011", None, None, "厨师", "美团外卖南调站", "南调街道", "海盛社区",
     "群众", "否"],
    [None, None, "  ", None],  # blank trailing rows
    [],
]  # fmt: skip

# (sheet, row, column header) of every problem the import must report ...
EXPECTED_ERRORS = {
    (ENTERPRISE_SHEET, 8, "统一社会信用代码"),
    (ENTERPRISE_SHEET, 9, "所属区县"),
    (ENTERPRISE_SHEET, 10, "街道"),
    (WORKER_SHEET, 5, "身份证号码"),
    (WORKER_SHEET, 6, "身份证号码"),
    (WORKER_SHEET, 7, "手机号码"),
    (WORKER_SHEET, 8, "所属企业"),
    (WORKER_SHEET, 11, "身份证号码"),
    (WORKER_SHEET, 12, "手机号码"),
    (WORKER_SHEET, 13, "岗位"),
}
# ... and what a person types into that cell to correct it.
FIXES = {
    (ENTERPRISE_SHEET, 8, "统一社会信用代码"): credit_code(),
    (ENTERPRISE_SHEET, 9, "所属区县"): "霞山区",
    (ENTERPRISE_SHEET, 10, "街道"): "吴川市海滨街道",
    (WORKER_SHEET, 5, "身份证号码"): id_number(birth="19920202"),
    (WORKER_SHEET, 6, "身份证号码"): id_number(birth="19930303"),
    (WORKER_SHEET, 7, "手机号码"): "13900000005",
    (WORKER_SHEET, 8, "所属企业"): "美团外卖南调站",
    (WORKER_SHEET, 11, "身份证号码"): id_number(birth="19850101", seq=12),
    (WORKER_SHEET, 12, "手机号码"): "13900000010",
    (WORKER_SHEET, 13, "岗位"): "其他",
}
GOOD_ENTERPRISES = 3
GOOD_WORKERS = 4


def build_messy_workbook(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ENTERPRISE_SHEET
    sheet["A1"] = "湛江市坡头区新就业形态企业台账（2024年）"
    sheet.merge_cells("A1:O1")
    sheet["A2"] = "填报单位：坡头区两新工委            填报时间：2024年6月"
    sheet.merge_cells("A2:O2")
    sheet.append([])
    sheet.append(ENTERPRISE_HEADER)
    for row in ENTERPRISE_ROWS:
        sheet.append(row)
    for _ in range(5):
        sheet.append([None] * 5)

    workers = workbook.create_sheet(WORKER_SHEET)
    workers["A1"] = "从业人员花名册"
    workers.merge_cells("A1:K1")
    workers.append(WORKER_HEADER)
    for row in WORKER_ROWS:
        workers.append(row)
    workbook.create_sheet("填表说明").append(["本表由社区填报，每月更新。"])
    workbook.save(path)
    return path


def apply_fixes(path: Path, reported: list[dict]) -> int:
    """Correct, in the file itself, each cell an error report points at; returns how many."""
    workbook = load_workbook(path)
    fixed = 0
    for issue in reported:
        key = (issue["sheet"], issue["row"], issue["column"])
        sheet = workbook[issue["sheet"]]
        header_row = 4 if issue["sheet"] == ENTERPRISE_SHEET else 2
        headers = [cell.value for cell in sheet[header_row]]
        cell = sheet.cell(row=issue["row"], column=headers.index(issue["column"]) + 1)
        cell.value = FIXES[key]
        fixed += 1
    workbook.save(path)
    return fixed
