import { packetBytes, readCapture } from '../../src/capture/source.js';
import { newFrame, type Frame } from '../../src/core/frame.js';
import { FrameDecoder } from '../../src/decode/frame-decoder.js';

/** Decoded TCP/UDP frames of a corpus capture, each an independent copy. */
export async function corpusFrames(path: string): Promise<Frame[]> {
  const dec = new FrameDecoder();
  const f = newFrame();
  const out: Frame[] = [];
  await readCapture(`../shared/corpus/${path}`, {
    packet(rec) {
      if (!dec.decode(rec, f)) return;
      // Keep only this packet's bytes (the reader's window is reused), offsets rebased onto the copy.
      const base = f.reassembled ? 0 : rec.offset;
      const data = Buffer.from(f.reassembled ? f.data : packetBytes(rec));
      out.push({ ...f, data, payloadOffset: f.payloadOffset - base, src6: Uint32Array.from(f.src6), dst6: Uint32Array.from(f.dst6) });
    },
  });
  return out;
}
