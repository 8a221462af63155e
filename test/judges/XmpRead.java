// Judge for the tests: parse an XMP packet (stdin) with the JDK's namespace-aware XML parser
// and print the properties PDF/A ties to the Info dictionary, one `name<TAB>value` a line.
// Fails (exit 1) when the packet is not well-formed XML.
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.*;

public class XmpRead {
  public static void main(String[] args) throws Exception {
    var f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document doc = f.newDocumentBuilder().parse(System.in);
    String[][] props = {
      {"http://www.aiim.org/pdfa/ns/id/", "part"}, {"http://www.aiim.org/pdfa/ns/id/", "conformance"},
      {"http://purl.org/dc/elements/1.1/", "title"}, {"http://purl.org/dc/elements/1.1/", "creator"},
      {"http://purl.org/dc/elements/1.1/", "description"}, {"http://ns.adobe.com/pdf/1.3/", "Keywords"},
      {"http://ns.adobe.com/pdf/1.3/", "Producer"}, {"http://ns.adobe.com/xap/1.0/", "CreatorTool"},
      {"http://ns.adobe.com/xap/1.0/", "CreateDate"}, {"http://ns.adobe.com/xap/1.0/", "ModifyDate"},
    };
    var out = new StringBuilder();
    for (String[] p : props) {
      NodeList nodes = doc.getElementsByTagNameNS(p[0], p[1]);
      for (int i = 0; i < nodes.getLength(); i++) out.append(p[1]).append('\t').append(nodes.item(i).getTextContent().trim()).append('\n');
    }
    System.out.write(out.toString().getBytes("UTF-8"));
    System.out.flush();
  }
}
