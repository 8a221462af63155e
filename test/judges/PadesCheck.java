// An independent judge of a signed PDF, written against Apache PDFBox and Bouncy Castle (the
// Debian packages): every signature's CMS verified over its byte ranges, its time-stamp token
// validated by the TSA's certificate and matched to the signature value, and the DSS's CRLs
// and OCSP responses checked against the certificates the DSS holds. One line per finding.
// Run: java -cp <pdfbox2, fontbox2, commons-logging, bcprov, bcpkix, bcutil> PadesCheck.java file.pdf
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.Security;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.interactive.digitalsignature.PDSignature;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.tsp.TimeStampToken;

public class PadesCheck {
  public static void main(String[] args) throws Exception {
    Security.addProvider(new BouncyCastleProvider());
    byte[] file = Files.readAllBytes(Path.of(args[0]));
    try (PDDocument doc = PDDocument.load(file)) {
      for (PDSignature sig : doc.getSignatureDictionaries()) {
        byte[] contents = sig.getContents(file);
        byte[] signed = sig.getSignedContent(file);
        CMSSignedData cms = new CMSSignedData(new CMSProcessableByteArray(signed), contents);
        SignerInformation si = cms.getSignerInfos().getSigners().iterator().next();
        X509CertificateHolder cert = (X509CertificateHolder) cms.getCertificates().getMatches(si.getSID()).iterator().next();
        boolean ok = si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(cert));
        System.out.println("signature: " + (ok ? "valid" : "INVALID") + " subfilter=" + sig.getSubFilter() + " vri=" + HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(contents)));
        AttributeTable unsigned = si.getUnsignedAttributes();
        Attribute stamp = unsigned == null ? null : unsigned.get(PKCSObjectIdentifiers.id_aa_signatureTimeStampToken);
        if (stamp != null) {
          TimeStampToken token = new TimeStampToken(ContentInfo.getInstance(stamp.getAttrValues().getObjectAt(0)));
          X509CertificateHolder tsa = (X509CertificateHolder) token.getCertificates().getMatches(token.getSID()).iterator().next();
          String verdict;
          try {
            token.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(tsa));
            byte[] expected = MessageDigest.getInstance("SHA-256").digest(si.getSignature());
            verdict = Arrays.equals(token.getTimeStampInfo().getMessageImprintDigest(), expected) ? "valid" : "WRONG-IMPRINT";
          } catch (Exception e) {
            verdict = "INVALID " + e.getMessage();
          }
          System.out.println("timestamp: " + verdict + " time=" + token.getTimeStampInfo().getGenTime().toInstant());
        }
      }
      COSDictionary catalog = doc.getDocumentCatalog().getCOSObject();
      COSDictionary dss = (COSDictionary) catalog.getDictionaryObject(COSName.getPDFName("DSS"));
      if (dss == null) return;
      List<X509CertificateHolder> certs = new ArrayList<>();
      for (byte[] b : streams(dss, "Certs")) certs.add(new X509CertificateHolder(b));
      List<byte[]> crls = streams(dss, "CRLs");
      List<byte[]> ocsps = streams(dss, "OCSPs");
      COSDictionary vri = (COSDictionary) dss.getDictionaryObject(COSName.getPDFName("VRI"));
      System.out.println("dss: certs=" + certs.size() + " crls=" + crls.size() + " ocsps=" + ocsps.size() + " vri=" + (vri == null ? "" : String.join(",", vri.keySet().stream().map(COSName::getName).toList())));
      for (byte[] b : crls) {
        X509CRLHolder crl = new X509CRLHolder(b);
        X509CertificateHolder issuer = certs.stream().filter(c -> c.getSubject().equals(crl.getIssuer())).findFirst().orElse(null);
        boolean ok = issuer != null && crl.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider("BC").build(issuer));
        System.out.println("crl: " + (ok ? "valid" : "INVALID") + " issuer=" + crl.getIssuer());
      }
      for (byte[] b : ocsps) {
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(b).getResponseObject();
        boolean ok = false;
        List<X509CertificateHolder> candidates = new ArrayList<>(certs);
        candidates.addAll(Arrays.asList(basic.getCerts()));
        for (X509CertificateHolder c : candidates) {
          try {
            if (basic.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider("BC").build(c))) ok = true;
          } catch (Exception e) {
            // another certificate's key
          }
        }
        SingleResp single = basic.getResponses()[0];
        String status = single.getCertStatus() == null ? "good" : "revoked";
        System.out.println("ocsp: " + (ok ? "valid" : "INVALID") + " status=" + status);
      }
    }
  }

  private static List<byte[]> streams(COSDictionary dss, String key) throws Exception {
    List<byte[]> out = new ArrayList<>();
    COSArray array = (COSArray) dss.getDictionaryObject(COSName.getPDFName(key));
    if (array == null) return out;
    for (int i = 0; i < array.size(); i++) {
      try (var in = ((COSStream) array.getObject(i)).createInputStream()) {
        out.add(in.readAllBytes());
      }
    }
    return out;
  }
}
