using System.Buffers.Binary;
using System.Text;

namespace KbSr.Runtime;

/// <summary>One <c>Vernaux</c> record of an ELF <c>.gnu.version_r</c> section: "this object needs
/// version <see cref="Version"/> of library <see cref="Library"/>".</summary>
/// <param name="Library">The needed library's file name (e.g. <c>libstdc++.so.6</c>).</param>
/// <param name="Version">The version name (e.g. <c>GLIBCXX_3.4.32</c>).</param>
/// <param name="Flags">vna_flags; <see cref="ElfVersionNeeds.WeakFlag"/> marks a weak need.</param>
/// <param name="RecordOffset">File offset of the Vernaux record.</param>
public sealed record VersionNeed(string Library, string Version, ushort Flags, long RecordOffset)
{
    public bool IsWeak => (Flags & ElfVersionNeeds.WeakFlag) != 0;
}

/// <summary>
/// Minimal reader/patcher for the symbol-versioning sections of 64-bit little-endian ELF shared
/// objects. It exists for one job (docs/design.md §3.1): letting TorchSharp's native library load on
/// Linux distributions whose libstdc++ predates a version it names but never really uses.
/// </summary>
public static class ElfVersionNeeds
{
    /// <summary>VER_FLG_WEAK: a missing weak version is not fatal to the dynamic loader.</summary>
    public const ushort WeakFlag = 0x2;

    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>All version needs of the object, in file order.</summary>
    public static IReadOnlyList<VersionNeed> ReadNeeds(ReadOnlySpan<byte> elf, string fileName = "ELF file")
    {
        var (section, strtab) = FindSection(elf, ShtGnuVerneed, fileName);
        var result = new List<VersionNeed>();
        if (section is null) return result;
        long offset = section.Value.Offset;
        for (uint i = 0; i < section.Value.Info; i++)
        {
            ushort count = U16(elf, offset + 2, fileName);
            string library = CString(elf, strtab + U32(elf, offset + 4, fileName), fileName);
            long aux = offset + U32(elf, offset + 8, fileName);
            for (int j = 0; j < count; j++)
            {
                ushort flags = U16(elf, aux + 4, fileName);
                string version = CString(elf, strtab + U32(elf, aux + 8, fileName), fileName);
                result.Add(new VersionNeed(library, version, flags, aux));
                uint nextAux = U32(elf, aux + 12, fileName);
                if (nextAux == 0) break;
                aux += nextAux;
            }
            uint next = U32(elf, offset + 12, fileName);
            if (next == 0) break;
            offset += next;
        }
        return result;
    }

    /// <summary>All version names the object defines (its <c>.gnu.version_d</c> section).</summary>
    public static IReadOnlySet<string> ReadDefinitions(ReadOnlySpan<byte> elf, string fileName = "ELF file")
    {
        var (section, strtab) = FindSection(elf, ShtGnuVerdef, fileName);
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (section is null) return result;
        long offset = section.Value.Offset;
        for (uint i = 0; i < section.Value.Info; i++)
        {
            // Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32
            long aux = offset + U32(elf, offset + 12, fileName);
            result.Add(CString(elf, strtab + U32(elf, aux, fileName), fileName)); // first Verdaux names the version
            uint next = U32(elf, offset + 16, fileName);
            if (next == 0) break;
            offset += next;
        }
        return result;
    }

    /// <summary>Sets VER_FLG_WEAK on the named version need, in place. Returns false when the object
    /// does not need that version of that library.</summary>
    public static bool MarkWeak(Span<byte> elf, string library, string version, string fileName = "ELF file")
    {
        bool changed = false;
        foreach (var need in ReadNeeds(elf, fileName))
        {
            if (need.Library != library || need.Version != version) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(elf.Slice((int)need.RecordOffset + 4, 2), (ushort)(need.Flags | WeakFlag));
            changed = true;
        }
        return changed;
    }

    private readonly record struct Section(long Offset, long Size, uint Link, uint Info);

    private static (Section? Section, long StrtabOffset) FindSection(ReadOnlySpan<byte> elf, uint type, string fileName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"{fileName}: not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"{fileName}: only 64-bit little-endian ELF is supported");
        long shoff = (long)U64(elf, 0x28, fileName);
        ushort shentsize = U16(elf, 0x3A, fileName);
        ushort shnum = U16(elf, 0x3C, fileName);
        if (shentsize < 64) throw new InvalidDataException($"{fileName}: bad section header size {shentsize}");
        for (int i = 0; i < shnum; i++)
        {
            long h = shoff + (long)i * shentsize;
            if (U32(elf, h + 4, fileName) != type) continue;
            var section = new Section((long)U64(elf, h + 0x18, fileName), (long)U64(elf, h + 0x20, fileName),
                U32(elf, h + 0x28, fileName), U32(elf, h + 0x2C, fileName));
            long linked = shoff + (long)section.Link * shentsize;
            return (section, (long)U64(elf, linked + 0x18, fileName));
        }
        return (null, 0);
    }

    private static void Check(ReadOnlySpan<byte> elf, long offset, int size, string fileName)
    {
        if (offset < 0 || offset + size > elf.Length)
            throw new InvalidDataException($"{fileName}: truncated or corrupt ELF (offset {offset} beyond {elf.Length} bytes)");
    }

    private static ushort U16(ReadOnlySpan<byte> elf, long o, string f) { Check(elf, o, 2, f); return BinaryPrimitives.ReadUInt16LittleEndian(elf[(int)o..]); }
    private static uint U32(ReadOnlySpan<byte> elf, long o, string f) { Check(elf, o, 4, f); return BinaryPrimitives.ReadUInt32LittleEndian(elf[(int)o..]); }
    private static ulong U64(ReadOnlySpan<byte> elf, long o, string f) { Check(elf, o, 8, f); return BinaryPrimitives.ReadUInt64LittleEndian(elf[(int)o..]); }

    private static string CString(ReadOnlySpan<byte> elf, long o, string f)
    {
        Check(elf, o, 1, f);
        var rest = elf[(int)o..];
        int end = rest.IndexOf((byte)0);
        if (end < 0) throw new InvalidDataException($"{f}: unterminated string in ELF string table");
        return Encoding.ASCII.GetString(rest[..end]);
    }
}
