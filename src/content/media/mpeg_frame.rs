//! One MPEG audio frame header (MP3, MP2): how long the frame is and how many samples it
//! holds, for telling MP3 from noise ([`sniff`](super::sniff)) and for the VBRI header's
//! duration ([`duration`](super::duration)).

/// What a frame header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Frame {
    /// Bytes in the frame, header included.
    pub(super) len: usize,
    /// Samples per channel in the frame.
    pub(super) samples: u32,
    /// Sample rate in Hz.
    pub(super) rate: u32,
}

const KBPS_V1: [[u32; 15]; 3] = [
    [
        0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
    ],
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
    ],
    [
        0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
    ],
];
const KBPS_V2: [[u32; 15]; 3] = [
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];
const RATES: [u32; 3] = [44100, 48000, 32000];

/// The frame whose header opens `b`, if it is a valid one (free-format frames are not).
pub(super) fn parse(b: &[u8]) -> Option<Frame> {
    let &[b0, b1, b2, _, ..] = b else { return None };
    if b0 != 0xFF || b1 & 0xE0 != 0xE0 {
        return None;
    }
    let version = (b1 >> 3) & 0b11; // 0: MPEG 2.5, 2: MPEG 2, 3: MPEG 1
    let layer = (b1 >> 1) & 0b11; // 1: III, 2: II, 3: I
    let bitrate_index = usize::from(b2 >> 4);
    let rate_index = usize::from((b2 >> 2) & 0b11);
    if version == 1 || layer == 0 || bitrate_index == 0 || bitrate_index == 15 || rate_index == 3 {
        return None;
    }
    let row = usize::from(3 - layer); // 0: I, 1: II, 2: III
    let kbps = if version == 3 {
        KBPS_V1[row][bitrate_index]
    } else {
        KBPS_V2[row][bitrate_index]
    };
    let rate = RATES[rate_index] >> (3 - version).min(2);
    let padding = u32::from((b2 >> 1) & 1);
    let mpeg1 = version == 3;
    let (len, samples) = match row {
        0 => ((12 * kbps * 1000 / rate + padding) * 4, 384),
        2 if !mpeg1 => (72 * kbps * 1000 / rate + padding, 576),
        _ => (144 * kbps * 1000 / rate + padding, 1152),
    };
    let len = usize::try_from(len).ok().filter(|&l| l >= 4)?;
    Some(Frame { len, samples, rate })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_headers_are_measured() {
        // MPEG 1 Layer III, 128 kbit/s, 44.1 kHz, no padding: 417 bytes of 1152 samples.
        let f = parse(&[0xFF, 0xFB, 0x90, 0x64]).unwrap();
        assert_eq!((f.len, f.samples, f.rate), (417, 1152, 44100));
        // MPEG 2 Layer III, 64 kbit/s, 22.05 kHz: 72 * 64000 / 22050 = 208, 576 samples.
        let f = parse(&[0xFF, 0xF3, 0x80, 0x64]).unwrap();
        assert_eq!((f.len, f.samples, f.rate), (208, 576, 22050));
        // Reserved version, bad bit rate, reserved sample rate, no sync.
        for bad in [
            [0xFF, 0xEB, 0x90, 0],
            [0xFF, 0xFB, 0xF0, 0],
            [0xFF, 0xFB, 0x9C, 0],
            [0xFE, 0xFB, 0x90, 0],
        ] {
            assert_eq!(parse(&bad), None, "{bad:x?}");
        }
    }
}
