//! The pixel size of podcast artwork (JPEG or PNG, the two formats directories accept), read
//! from the image header with `imagesize`; the pixels are never decoded.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use imagesize::ImageType;

use super::MediaError;

/// Width and height of the JPEG or PNG image at `path`.
pub fn image_size(path: &Path) -> Result<(u32, u32), MediaError> {
    let file = File::open(path).map_err(MediaError::io)?;
    let meta = file.metadata().map_err(MediaError::io)?;
    if !meta.is_file() {
        return Err(MediaError::NotAFile);
    }
    if meta.len() == 0 {
        return Err(MediaError::Empty);
    }
    let mut head = Vec::with_capacity(16);
    (&file)
        .take(16)
        .read_to_end(&mut head)
        .map_err(MediaError::io)?;
    match imagesize::image_type(&head) {
        Ok(ImageType::Jpeg | ImageType::Png) => {}
        _ => return Err(MediaError::NotJpegOrPng),
    }
    let mut reader = BufReader::new(file);
    std::io::Seek::rewind(&mut reader).map_err(MediaError::io)?;
    let size = imagesize::reader_size(reader).map_err(|e| match e {
        imagesize::ImageError::IoError(e) => MediaError::io(e),
        other => MediaError::Damaged {
            mime: "an image",
            reason: other.to_string(),
        },
    })?;
    let dim = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Ok((dim(size.width), dim(size.height)))
}
