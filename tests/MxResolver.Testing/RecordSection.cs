namespace MxResolver.Testing;

/// <summary>The three record sections of a DNS message (RFC 1035 §4.1).</summary>
public enum RecordSection
{
    Answer,
    Authority,
    Additional,
}
