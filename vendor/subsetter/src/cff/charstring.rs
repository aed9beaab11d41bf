use crate::cff::operator::Operator;
use crate::cff::subroutines::SubroutineHandler;
use crate::Error::{CFFError, Unimplemented};
use crate::Result;
use operators::*;

pub type CharString<'a> = &'a [u8];

// Adapted from fonttools.
//
// zongjie patch: the decompiler copies a glyph's bytes straight into its
// desubroutinized charstring (operands in their original encoding, the
// subroutines' bodies in place of their calls) instead of building a vector
// of instructions and encoding every number anew, and its argument stack is
// a fixed array instead of a vector allocated at each operator. The output
// means the same outline, hints and widths; it took most of the time of
// subsetting a CJK font. A desubroutinized glyph longer than the format's
// 65,535 bytes is refused (subroutines calling each other twice at every
// level would otherwise grow it exponentially), and the hint count
// saturates instead of overflowing.
/// A charstring decompiler.
pub struct Decompiler<'a> {
    gsubr_handler: SubroutineHandler<'a>,
    lsubr_handler: SubroutineHandler<'a>,
    stack: OperandStack,
    hint_count: u16,
    hint_mask_bytes: u16,
}

enum CharStringEnd {
    Return,
    EndChar,
}

/// The operands since the last operator that cleared them: each one's value
/// (as an integer, where it is one) and where its bytes start in the output.
struct OperandStack {
    values: [(Option<i32>, usize); MAX_OPERANDS_LEN],
    len: usize,
}

const MAX_OPERANDS_LEN: usize = 48;

/// The longest charstring the Type 2 format allows (its appendix B), also
/// for a desubroutinized glyph.
const MAX_CHARSTRING_LEN: usize = 65_535;

impl OperandStack {
    fn new() -> Self {
        Self { values: [(None, 0); MAX_OPERANDS_LEN], len: 0 }
    }

    fn push(&mut self, value: Option<i32>, start: usize) -> Result<()> {
        if self.len == MAX_OPERANDS_LEN {
            return Err(CFFError);
        }
        self.values[self.len] = (value, start);
        self.len += 1;
        Ok(())
    }

    fn pop(&mut self) -> Option<(Option<i32>, usize)> {
        self.len = self.len.checked_sub(1)?;
        Some(self.values[self.len])
    }

    /// Clears the stack, telling how many operands it held.
    fn pop_all(&mut self) -> usize {
        std::mem::take(&mut self.len)
    }
}

/// The operand at the start of `bytes`: its value where it is an integer, and
/// how many bytes it takes (Type 2 charstring number encoding).
fn operand(bytes: &[u8]) -> Option<(Option<i32>, usize)> {
    let b0 = *bytes.first()?;
    let b = |i: usize| bytes.get(i).map(|&b| b as i32);
    Some(match b0 {
        28 => (Some(i16::from_be_bytes([*bytes.get(1)?, *bytes.get(2)?]) as i32), 3),
        32..=246 => (Some(b0 as i32 - 139), 1),
        247..=250 => (Some((b0 as i32 - 247) * 256 + b(1)? + 108), 2),
        251..=254 => (Some(-(b0 as i32 - 251) * 256 - b(1)? - 108), 2),
        255 => {
            let fixed = i32::from_be_bytes(bytes.get(1..5)?.try_into().ok()?);
            ((fixed & 0xFFFF == 0).then_some(fixed >> 16), 5)
        }
        _ => return None,
    })
}

impl<'a> Decompiler<'a> {
    /// Create a new charstring decompiler.
    pub fn new(
        gsubr_handler: SubroutineHandler<'a>,
        lsubr_handler: SubroutineHandler<'a>,
    ) -> Self {
        Self {
            gsubr_handler,
            lsubr_handler,
            stack: OperandStack::new(),
            hint_count: 0,
            hint_mask_bytes: 0,
        }
    }

    /// Decompile a charstring with the given decompiler: its bytes with every
    /// subroutine call replaced by the subroutine's body.
    pub fn decompile(mut self, charstring: CharString<'a>) -> Result<Vec<u8>> {
        let mut program = Vec::with_capacity(charstring.len() * 4);
        self.decompile_inner(charstring, &mut program, 1)?;
        if program.len() > MAX_CHARSTRING_LEN {
            return Err(CFFError);
        }
        Ok(program)
    }

    fn decompile_inner(
        &mut self,
        charstring: CharString<'a>,
        program: &mut Vec<u8>,
        depth: u8,
    ) -> Result<CharStringEnd> {
        if depth > 64 {
            return Err(CFFError);
        }

        let bytes = charstring;
        // The bytes from `copied` on are to be copied to the program as they
        // are; they are copied as one run when something is left out.
        let mut copied = 0;
        let mut at = 0;

        while at < bytes.len() {
            let op = bytes[at];

            // Numbers
            if matches!(op, 28 | 32..=255) {
                let (value, len) = operand(&bytes[at..]).ok_or(CFFError)?;
                self.stack.push(value, program.len() + (at - copied))?;
                at += len;
                continue;
            }

            let begin = at;
            let operator = if op == 12 {
                at += 2;
                Operator::from_two_byte(*bytes.get(begin + 1).ok_or(CFFError)?)
            } else {
                at += 1;
                Operator::from_one_byte(op)
            };

            match operator {
                HFLEX | FLEX | HFLEX1 | FLEX1 => {
                    self.stack.pop_all();
                }
                HORIZONTAL_STEM
                | VERTICAL_STEM
                | HORIZONTAL_STEM_HINT_MASK
                | VERTICAL_STEM_HINT_MASK => {
                    self.count_hints();
                }
                VERTICAL_MOVE_TO | HORIZONTAL_MOVE_TO | LINE_TO | VERTICAL_LINE_TO
                | HORIZONTAL_LINE_TO | MOVE_TO | CURVE_LINE | LINE_CURVE
                | VV_CURVE_TO | VH_CURVE_TO | HH_CURVE_TO | HV_CURVE_TO | CURVE_TO => {
                    self.stack.pop_all();
                }
                RETURN => {
                    program.extend_from_slice(&bytes[copied..begin]);
                    return Ok(CharStringEnd::Return);
                }
                CALL_GLOBAL_SUBROUTINE | CALL_LOCAL_SUBROUTINE => {
                    // The call and the subroutine's index leave the program.
                    program.extend_from_slice(&bytes[copied..begin]);
                    copied = at;
                    let (biased_index, start) = self.stack.pop().ok_or(CFFError)?;
                    program.truncate(start);
                    // Subroutines calling each other twice at every level
                    // would grow the glyph exponentially: stop at the
                    // format's limit.
                    if program.len() > MAX_CHARSTRING_LEN {
                        return Err(CFFError);
                    }
                    let handler = if operator == CALL_GLOBAL_SUBROUTINE {
                        &self.gsubr_handler
                    } else {
                        &self.lsubr_handler
                    };
                    let subr = handler
                        .get_with_biased(biased_index.ok_or(CFFError)?)
                        .ok_or(CFFError)?;
                    if matches!(
                        self.decompile_inner(subr, program, depth + 1)?,
                        CharStringEnd::EndChar
                    ) {
                        return Ok(CharStringEnd::EndChar);
                    }
                }
                HINT_MASK | COUNTER_MASK => {
                    if self.hint_mask_bytes == 0 {
                        // Hintmask can contain implicit stems.
                        self.count_hints();
                        self.hint_mask_bytes = self.hint_count.div_ceil(8);
                    }
                    at += self.hint_mask_bytes as usize;
                    if at > bytes.len() {
                        return Err(CFFError);
                    }
                }
                ENDCHAR => {
                    // We don't support seac for now. It's a deprecated feature and Typst for some
                    // reason does not support it anyway.
                    if self.stack.len >= 4 {
                        return Err(Unimplemented);
                    }

                    program.extend_from_slice(&bytes[copied..at]);

                    return Ok(CharStringEnd::EndChar);
                }
                _ => {
                    return Err(CFFError);
                }
            }
        }

        program.extend_from_slice(&bytes[copied..]);
        Ok(CharStringEnd::Return)
    }

    fn count_hints(&mut self) {
        let elements = self.stack.pop_all();
        self.hint_count = self.hint_count.saturating_add(elements as u16 / 2);
    }
}

#[allow(dead_code)]
pub mod operators {
    use crate::cff::operator::Operator;

    pub const HORIZONTAL_STEM: Operator = Operator::from_one_byte(1);
    pub const VERTICAL_STEM: Operator = Operator::from_one_byte(3);
    pub const VERTICAL_MOVE_TO: Operator = Operator::from_one_byte(4);
    pub const LINE_TO: Operator = Operator::from_one_byte(5);
    pub const HORIZONTAL_LINE_TO: Operator = Operator::from_one_byte(6);
    pub const VERTICAL_LINE_TO: Operator = Operator::from_one_byte(7);
    pub const CURVE_TO: Operator = Operator::from_one_byte(8);
    pub const CALL_LOCAL_SUBROUTINE: Operator = Operator::from_one_byte(10);
    pub const RETURN: Operator = Operator::from_one_byte(11);
    pub const ENDCHAR: Operator = Operator::from_one_byte(14);
    pub const HORIZONTAL_STEM_HINT_MASK: Operator = Operator::from_one_byte(18);
    pub const HINT_MASK: Operator = Operator::from_one_byte(19);
    pub const COUNTER_MASK: Operator = Operator::from_one_byte(20);
    pub const MOVE_TO: Operator = Operator::from_one_byte(21);
    pub const HORIZONTAL_MOVE_TO: Operator = Operator::from_one_byte(22);
    pub const VERTICAL_STEM_HINT_MASK: Operator = Operator::from_one_byte(23);
    pub const CURVE_LINE: Operator = Operator::from_one_byte(24);
    pub const LINE_CURVE: Operator = Operator::from_one_byte(25);
    pub const VV_CURVE_TO: Operator = Operator::from_one_byte(26);
    pub const HH_CURVE_TO: Operator = Operator::from_one_byte(27);
    pub const SHORT_INT: Operator = Operator::from_one_byte(28);
    pub const CALL_GLOBAL_SUBROUTINE: Operator = Operator::from_one_byte(29);
    pub const VH_CURVE_TO: Operator = Operator::from_one_byte(30);
    pub const HV_CURVE_TO: Operator = Operator::from_one_byte(31);
    pub const HFLEX: Operator = Operator::from_two_byte(34);
    pub const FLEX: Operator = Operator::from_two_byte(35);
    pub const HFLEX1: Operator = Operator::from_two_byte(36);
    pub const FLEX1: Operator = Operator::from_two_byte(37);
    pub const FIXED_16_16: Operator = Operator::from_one_byte(255);
}
