using System.Security.Cryptography.X509Certificates;

namespace MxResolver.Policy;

/// <summary>
/// Converts callback certificates to <see cref="X509Certificate2"/>, disposing of the copies it had
/// to make (and only those) when disposed.
/// </summary>
internal sealed class OwnedCertificates : IDisposable
{
    private readonly List<X509Certificate2> _copies = [];

    public X509Certificate2? AsCertificate2(X509Certificate? certificate)
    {
        if (certificate is null or X509Certificate2)
        {
            return (X509Certificate2?)certificate;
        }

        var copy = new X509Certificate2(certificate);
        _copies.Add(copy);
        return copy;
    }

    public void Dispose()
    {
        foreach (X509Certificate2 copy in _copies)
        {
            copy.Dispose();
        }
    }
}
