using System.Buffers.Binary;

namespace KbSr.Imaging;

/// <summary>
/// Checks an image file's container before it is decoded, because StbImageSharp decodes damaged files without a word: a
/// JPEG cut short is filled in, a BMP's missing rows are left black, a PNG's chunk checksums are never compared. Each
/// check reads only what the format itself promises: a PNG's chunks whole, each with its CRC-32, up to IEND; a JPEG's end
/// of image (EOI) after its last scan; an uncompressed BMP's or TGA's pixel bytes all present.
/// </summary>
public static class ContainerCheck
{
    /// <summary>What is wrong with the container (null: nothing found). <paramref name="format"/> is "PNG", "JPEG",
    /// "BMP" or "TGA" (as <see cref="ImageFile"/> sniffs it).</summary>
    public static string? Problem(ReadOnlySpan<byte> bytes, string format) => format switch
    {
        "PNG" => Png(bytes),
        "JPEG" => Jpeg(bytes),
        "BMP" => Bmp(bytes),
        "TGA" => Tga(bytes),
        _ => null,
    };

    private static string? Png(ReadOnlySpan<byte> b)
    {
        int offset = 8;   // after the signature
        bool data = false;
        while (true)
        {
            if (offset + 12 > b.Length) return $"truncated: the chunk at byte {offset} is cut short (no IEND chunk)";
            uint length = BinaryPrimitives.ReadUInt32BigEndian(b[offset..]);
            if (length > int.MaxValue || offset + 12L + length > b.Length)
                return $"truncated: the chunk at byte {offset} declares {length} bytes, more than the file holds";
            var typeAndData = b.Slice(offset + 4, 4 + (int)length);
            string type = System.Text.Encoding.ASCII.GetString(typeAndData[..4]);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(b[(offset + 8 + (int)length)..]);
            if (Crc32(typeAndData) != stored) return $"chunk {Printable(type)} at byte {offset} fails its CRC-32 check (damaged bytes)";
            data |= type == "IDAT";
            if (type == "IEND") return data ? null : "no IDAT chunk: the file holds no pixels";
            offset += 12 + (int)length;
        }
    }

    private static string? Jpeg(ReadOnlySpan<byte> b)
    {
        // Inside entropy-coded data every 0xFF byte is followed by 0x00 or a restart marker, so the last FF DA (start of
        // scan) is the last scan's, and its image ends with FF D9 (end of image) after it.
        int sos = LastIndexOf(b, 0xFF, 0xDA);
        if (sos < 0) return "no scan (start-of-scan marker): the file holds no pixels";
        return LastIndexOf(b[sos..], 0xFF, 0xD9) < 0 ? "truncated: no end-of-image marker after the last scan" : null;
    }

    private static string? Bmp(ReadOnlySpan<byte> b)
    {
        if (b.Length < 30) return "truncated: shorter than a BMP header";
        uint fileSize = BinaryPrimitives.ReadUInt32LittleEndian(b[2..]);
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(b[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(b[14..]);
        long width, height;
        int bitsPerPixel;
        uint compression = 0;
        if (headerSize == 12)   // OS/2 BITMAPCOREHEADER
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(b[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(b[20..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(b[24..]);
        }
        else
        {
            if (b.Length < 34) return "truncated: shorter than its BMP header";
            width = BinaryPrimitives.ReadInt32LittleEndian(b[18..]);
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(b[22..]));
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(b[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(b[30..]);
        }
        if (compression is 0 or 3 or 6)   // rows stored as they are, each padded to 4 bytes
        {
            long needed = pixelOffset + (width * bitsPerPixel + 31) / 32 * 4 * height;
            return b.Length < needed ? $"truncated: {width}×{height} pixels at {bitsPerPixel} bits need {needed} bytes, the file has {b.Length}" : null;
        }
        return fileSize > b.Length ? $"truncated: the header gives {fileSize} bytes, the file has {b.Length}" : null;
    }

    private static string? Tga(ReadOnlySpan<byte> b)
    {
        if (b.Length < 18) return "truncated: shorter than a TGA header";
        int idLength = b[0], imageType = b[2], mapLength = BinaryPrimitives.ReadUInt16LittleEndian(b[5..]), mapBits = b[7];
        int width = BinaryPrimitives.ReadUInt16LittleEndian(b[12..]), height = BinaryPrimitives.ReadUInt16LittleEndian(b[14..]), bits = b[16];
        if (imageType is not (1 or 2 or 3)) return null;   // run-length encoded: its length is not known in advance
        long needed = 18L + idLength + (b[1] == 1 ? (mapLength * (long)mapBits + 7) / 8 : 0) + (long)width * height * ((bits + 7) / 8);
        return b.Length < needed ? $"truncated: {width}×{height} pixels at {bits} bits need {needed} bytes, the file has {b.Length}" : null;
    }

    private static int LastIndexOf(ReadOnlySpan<byte> b, byte first, byte second)
    {
        for (int i = b.Length - 2; i >= 0; i--)
            if (b[i] == first && b[i + 1] == second) return i;
        return -1;
    }

    private static string Printable(string s) => new(s.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    /// <summary>CRC-32 as PNG (and zlib, gzip) define it: polynomial 0xEDB88320, reflected, initial and final value ~0.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte x in data) c = CrcTable[(c ^ x) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }
}
