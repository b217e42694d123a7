namespace KbSr.Data;

/// <summary>
/// One entry of <c>data/catalog.json</c> (docs/design.md §3.4).
/// </summary>
/// <param name="Name">Folder name under the data root, e.g. <c>Set5</c>.</param>
/// <param name="Files">Expected number of image files in that folder.</param>
/// <param name="Description">What the images are and where they come from, in a line.</param>
/// <param name="Url">Where the archive can be downloaded (zip, tar or tar.gz), or null when there is no direct link.</param>
/// <param name="Archive">The archive's file name.</param>
/// <param name="Sha256">SHA-256 of the archive (lower-case hex), or null when not known.</param>
/// <param name="ArchiveFolder">Folder inside the archive that holds the images (null: the archive's single top folder, or its root).</param>
/// <param name="Include">File-name pattern (<c>*</c> and <c>?</c>) selecting the HR images when the folder holds others too.</param>
/// <param name="Role">"test" or "train".</param>
/// <param name="Homepage">The dataset's page, for people.</param>
/// <param name="License">Terms of use, as far as they are stated by the source.</param>
/// <param name="Note">Anything a user should know (file naming, differences between releases).</param>
public sealed record DatasetInfo(
    string Name,
    int Files,
    string Description,
    string? Url,
    string? Archive,
    string? Sha256,
    string? ArchiveFolder = null,
    string? Include = null,
    string? Role = null,
    string? Homepage = null,
    string? License = null,
    string? Note = null);
