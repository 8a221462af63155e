// The page of GB/T 9704-2012 in Word's units. Word keeps margins in twips (1/20 pt): the
// type area is 8845 × 12756 twips, one twip off the 156 × 225 mm of the standard, and its
// grid is worked out from those whole twips, as Word does.

export const TWIPS_PER_MM = 1440 / 25.4;
export const mmToTwips = (mm: number): number => Math.round(mm * TWIPS_PER_MM);
export const ptToTwips = (pt: number): number => Math.round(pt * 20);

export const PAGE = { width: mmToTwips(210), height: mmToTwips(297) };
/** 天头 37, 订口 28, 翻口 26, 地脚 35 mm. */
export const MARGIN = { top: mmToTwips(37), left: mmToTwips(28), right: mmToTwips(26), bottom: mmToTwips(35) };
/**
 * A landscape page, as the print turns it (its head toward the binding edge): the binding
 * margin is its top, the sheet's foot its left.
 */
export const LANDSCAPE_MARGIN = { top: mmToTwips(28), right: mmToTwips(37), bottom: mmToTwips(26), left: mmToTwips(35) };

export const TYPE_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
export const TYPE_HEIGHT = PAGE.height - MARGIN.top - MARGIN.bottom;

export const LINES = 22;
export const CHARS = 28;
/** 3号: the body's size, in points; the grid's characters are counted against it. */
export const BODY_PT = 16;

/** The line pitch in twips: the largest whole value that still fits 22 lines (579: 28.95 pt). */
export const LINE_PITCH = Math.floor(TYPE_HEIGHT / LINES);

/**
 * w:charSpace: the grid's character pitch less the body's size, in 1/4096 pt. The largest
 * whole value whose pitch still fits 28 characters (−842: 15.794 pt, 8845 / 15.794 = 28.0001).
 */
export const CHAR_SPACE = Math.floor(((TYPE_WIDTH / 20 / CHARS) - BODY_PT) * 4096);

/** Word's count of characters per line for a grid: its arithmetic, for the tests and the README. */
export const gridChars = (typeWidthTwips: number, charSpace: number, sizePt = BODY_PT): number => Math.floor(typeWidthTwips / 20 / (sizePt + charSpace / 4096));

/**
 * Character spacing of text that does not snap to the character grid, in twentieths of a
 * point: −0.5 pt. LibreOffice gives a 16 pt character two cells of a 15.79 pt grid (14 to a
 * line), so the styles keep to the line grid by an exact line height and reach 28 characters
 * by this tracking instead: 28 × 15.5 pt fit the 442.25 pt line and 29 do not, in Word's
 * arithmetic and in LibreOffice's rendering; a justified line is spread back to the full width.
 */
export const TRACKING = -10;

/** One character of the grid in twips (5.57 mm), for indents. */
export const CHAR = TYPE_WIDTH / CHARS;
/** One line of the grid in millimetres. */
export const PITCH_MM = LINE_PITCH / TWIPS_PER_MM;
