using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace MxResolver.Tests.Policy;

public class TlsaAssociationTests
{
    [Fact]
    public void Equals_SameFieldsDifferentArrays_Equal()
    {
        var x = new TlsaAssociation(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, new byte[] { 1, 2, 3 });
        var y = new TlsaAssociation(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, new byte[] { 1, 2, 3 });

        Assert.Equal(x, y);
        Assert.Equal(x.GetHashCode(), y.GetHashCode());
        Assert.NotEqual(x, new TlsaAssociation(TlsaCertificateUsage.DaneEe, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, new byte[] { 1, 2, 4 }));
        Assert.NotEqual(x, new TlsaAssociation(TlsaCertificateUsage.DaneTa, TlsaSelector.SubjectPublicKeyInfo, TlsaMatchingType.Sha256, new byte[] { 1, 2, 3 }));
    }

    [Fact]
    public void Constructor_CallerArrayChangedLater_DataUnchanged()
    {
        byte[] data = [1, 2, 3];
        var association = new TlsaAssociation(TlsaCertificateUsage.DaneEe, TlsaSelector.FullCertificate, TlsaMatchingType.Full, data);
        data[0] = 9;

        Assert.Equal(1, association.Data.Span[0]);
    }

    [Theory]
    [InlineData(3, 1, 1, 32, true)]
    [InlineData(2, 0, 2, 64, true)]
    [InlineData(3, 0, 0, 100, true)]
    [InlineData(3, 1, 1, 31, false)]
    [InlineData(3, 1, 2, 32, false)]
    [InlineData(3, 0, 0, 0, false)]
    [InlineData(1, 1, 1, 32, false)]
    [InlineData(0, 0, 1, 32, false)]
    [InlineData(4, 1, 1, 32, false)]
    [InlineData(3, 2, 1, 32, false)]
    [InlineData(3, 1, 3, 32, false)]
    [InlineData(3, 255, 255, 32, false)]
    public void IsUsableForSmtp_FieldCombination_AsRfc7672Says(int usage, int selector, int matching, int length, bool expected)
    {
        var association = new TlsaAssociation((TlsaCertificateUsage)usage, (TlsaSelector)selector, (TlsaMatchingType)matching, new byte[length]);

        Assert.Equal(expected, association.IsUsableForSmtp);
    }

    [Fact]
    public void ToString_PresentationForm_UpperHex()
    {
        var association = new TlsaAssociation(TlsaCertificateUsage.DaneTa, TlsaSelector.FullCertificate, TlsaMatchingType.Sha512, new byte[] { 0xAB, 0x01 });

        Assert.Equal("2 0 2 AB01", association.ToString());
    }

    [Fact]
    public void TryReadRecordData_TooShort_False()
    {
        Assert.False(TlsaAssociation.TryReadRecordData([3, 1], out TlsaAssociation? association));
        Assert.Null(association);
    }

    [Property(MaxTest = PropertyConfig.MaxTest, Replay = PropertyConfig.Replay)]
    public Property ToRecordData_AnyAssociation_RoundTrips()
    {
        Gen<TlsaAssociation> associations =
            from usage in Gen.Choose(0, 255)
            from selector in Gen.Choose(0, 255)
            from matching in Gen.Choose(0, 255)
            from data in Gen.Choose(0, 80).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n))
            select new TlsaAssociation((TlsaCertificateUsage)usage, (TlsaSelector)selector, (TlsaMatchingType)matching, data);

        return Prop.ForAll(associations.ToArbitrary(), association =>
        {
            byte[] rdata = association.ToRecordData();
            Assert.True(TlsaAssociation.TryReadRecordData(rdata, out TlsaAssociation? read));
            Assert.Equal(association, read);
            Assert.Equal(rdata, read!.ToRecordData());
        });
    }
}
