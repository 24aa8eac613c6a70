/**
 * The RESP2/RESP3 protocol layer: values, the push-based decoder, command
 * encoding (client side) and reply encoding (server side). Bytes in, values
 * out, no I/O. Internal barrel: not part of the public API yet.
 *
 * @module
 */

export { type DecoderOptions, RespDecoder } from "./decoder.ts";
export { ByteWriter, CommandEncoder, encodeCommand } from "./encoder.ts";
export { formatDouble, formatDouble17g, ReplyWriter } from "./reply_writer.ts";
export { type CommandArg, RespPush, type RespValue, VerbatimString } from "./types.ts";
