// pnet-kg helper run by pnet_kg.reason and the tests, against the OWL API 3 and HermiT classes that
// owlready2 ships in hermit/HermiT.jar (no other jar is needed).
//
//   java -cp HermiT.jar OwlCheck.java profile FILE [CATALOG]
//       load FILE as Protégé would (OWLManager; imports resolved through CATALOG, a catalog-v001.xml),
//       print loader warnings, unparsed triples and OWL 2 DL profile violations (undeclared
//       entities, punning, reserved vocabulary ...) of the imports closure.
//   java -cp HermiT.jar OwlCheck.java explain FILE [CLASS_IRI ...]
//       consistency under HermiT; if inconsistent, one minimal set of axioms that is inconsistent;
//       otherwise, for each CLASS_IRI (default: every unsatisfiable class), one minimal set of axioms
//       that makes it unsatisfiable. Minimal sets are found by removing axioms (QuickXplain, Junker
//       2004) with a fresh HermiT per test, so that no explanation library beyond the OWL API is needed.
//
// Output: one record a line, fields separated by TAB, no TAB or newline inside a field:
//   AXIOMS n | LOADED ontology-iri | UNPARSED triple | PROFILE kind text | COUNT axiom-type[ annotation-property] n | CONSISTENT true|false | UNSAT iri
//   EXPLAIN target axiom-in-Manchester-syntax   (target is an IRI or owl:Thing for inconsistency)
//   CHECKS n (number of reasoner runs spent on explanations)

import java.io.File;
import java.util.*;

import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.*;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;
import org.semanticweb.owlapi.reasoner.*;
import org.semanticweb.owlapi.util.*;
import org.semanticweb.owlapi.vocab.OWLRDFVocabulary;
import uk.ac.manchester.cs.owl.owlapi.mansyntaxrenderer.ManchesterOWLSyntaxOWLObjectRendererImpl;

public class OwlCheck {
    static int checks = 0;
    static OWLOntologyManager manager;
    static OWLDataFactory factory;

    static String clean(Object o) {
        return String.valueOf(o).replace('\t', ' ').replace('\r', ' ').replace('\n', ' ').trim();
    }

    static void out(String... fields) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) b.append('\t');
            b.append(clean(fields[i]));
        }
        System.out.println(b);
    }

    static OWLReasoner reasoner(OWLOntology ontology) {
        Configuration config = new Configuration();
        config.throwInconsistentOntologyException = false;
        config.ignoreUnsupportedDatatypes = true;
        return new Reasoner(config, ontology);
    }

    /** True when the axioms are inconsistent, or make target (if not null) unsatisfiable. */
    static boolean fails(Set<OWLAxiom> axioms, OWLClass target) throws OWLOntologyCreationException {
        checks++;
        OWLOntology o = manager.createOntology(axioms);
        try {
            OWLReasoner r = reasoner(o);
            try {
                if (!r.isConsistent()) return true;
                return target != null && !r.isSatisfiable(target);
            } finally {
                r.dispose();
            }
        } finally {
            manager.removeOntology(o);
        }
    }

    static Set<OWLAxiom> union(Set<OWLAxiom> a, List<OWLAxiom> b) {
        Set<OWLAxiom> s = new HashSet<OWLAxiom>(a);
        s.addAll(b);
        return s;
    }

    /** QuickXplain: a minimal subset of candidates that, with background, fails. */
    static List<OWLAxiom> quickXplain(Set<OWLAxiom> background, boolean delta, List<OWLAxiom> candidates,
                                      OWLClass target) throws OWLOntologyCreationException {
        if (delta && fails(background, target)) return new ArrayList<OWLAxiom>();
        if (candidates.size() == 1) return candidates;
        int half = candidates.size() / 2;
        List<OWLAxiom> c1 = candidates.subList(0, half), c2 = candidates.subList(half, candidates.size());
        List<OWLAxiom> d2 = quickXplain(union(background, c1), !c1.isEmpty(), new ArrayList<OWLAxiom>(c2), target);
        List<OWLAxiom> d1 = quickXplain(union(background, d2), !d2.isEmpty(), new ArrayList<OWLAxiom>(c1), target);
        List<OWLAxiom> result = new ArrayList<OWLAxiom>(d1);
        result.addAll(d2);
        return result;
    }

    static List<OWLAxiom> explain(OWLOntology ontology, OWLClass target) throws OWLOntologyCreationException {
        List<OWLAxiom> all = new ArrayList<OWLAxiom>();
        for (OWLAxiom ax : ontology.getAxioms()) {
            if (ax.isLogicalAxiom()) all.add(ax);
        }
        // A deterministic order makes the explanation reproducible.
        Collections.sort(all);
        if (!fails(new HashSet<OWLAxiom>(all), target)) return null;
        return quickXplain(new HashSet<OWLAxiom>(), false, all, target);
    }

    static Set<OWLAxiom> closureAxioms(OWLOntology ontology) {
        Set<OWLAxiom> all = new HashSet<OWLAxiom>();
        for (OWLOntology part : ontology.getImportsClosure()) all.addAll(part.getAxioms());
        return all;
    }

    // Resolve owl:imports through a Protégé catalog (catalog-v001.xml), the way Protégé does.
    static void useCatalog(File catalog) throws Exception {
        org.w3c.dom.NodeList uris = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(catalog).getElementsByTagName("uri");
        for (int i = 0; i < uris.getLength(); i++) {
            org.w3c.dom.Element e = (org.w3c.dom.Element) uris.item(i);
            File target = new File(catalog.getAbsoluteFile().getParentFile(), e.getAttribute("uri"));
            manager.addIRIMapper(new SimpleIRIMapper(IRI.create(e.getAttribute("name")), IRI.create(target)));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: OwlCheck profile|explain FILE [CLASS_IRI ...]");
            System.exit(2);
        }
        manager = OWLManager.createOWLOntologyManager();
        factory = manager.getOWLDataFactory();
        OWLOntologyLoaderConfiguration loaderConfig = new OWLOntologyLoaderConfiguration()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
        final List<String> missing = new ArrayList<String>();
        manager.addMissingImportListener(new MissingImportListener() {
            public void importMissing(MissingImportEvent e) { missing.add(e.getImportedOntologyURI().toString()); }
        });
        if (args[0].equals("profile") && args.length > 2) useCatalog(new File(args[2]));
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(
            new FileDocumentSource(new File(args[1])), loaderConfig);
        for (String m : missing) out("PROFILE", "MissingImport", m);
        Set<OWLAxiom> axioms = closureAxioms(ontology);
        out("AXIOMS", String.valueOf(axioms.size()));
        for (OWLOntology part : ontology.getImportsClosure()) out("LOADED", String.valueOf(part.getOntologyID().getOntologyIRI()));

        DefaultPrefixManager prefixes = new DefaultPrefixManager();
        prefixes.setPrefix("pnet:", "https://w3id.org/pnet-kg/");
        ManchesterOWLSyntaxOWLObjectRendererImpl renderer = new ManchesterOWLSyntaxOWLObjectRendererImpl();
        renderer.setShortFormProvider(prefixes);

        if (args[0].equals("profile")) {
            // every ontology of the imports closure (one file, or the modules resolved by a catalog)
            for (OWLOntology part : ontology.getImportsClosure()) {
                OWLOntologyFormat format = manager.getOntologyFormat(part);
                OWLOntologyLoaderMetaData meta = format.getOntologyLoaderMetaData();
                if (meta instanceof RDFParserMetaData) {
                    // OWL API 3 lists some triples as unparsed although it made axioms of them (annotation
                    // assertions with an IRI value, owl:AllDifferent nodes): report only those really lost.
                    int allDifferent = 0;
                    for (RDFTriple t : ((RDFParserMetaData) meta).getUnparsedTriples()) {
                        if (t.getPredicate().getResource().equals(OWLRDFVocabulary.RDF_TYPE.getIRI()) && !t.getObject().isLiteral()
                                && ((RDFResource) t.getObject()).getResource().equals(OWLRDFVocabulary.OWL_ALL_DIFFERENT.getIRI())) {
                            allDifferent++;
                            continue;
                        }
                        if (t.getPredicate().getResource().equals(OWLRDFVocabulary.RDF_TYPE.getIRI()) && !t.getSubject().isAnonymous()
                                && !t.getObject().isLiteral() && ((RDFResource) t.getObject()).isAnonymous()) {
                            // ClassAssertion(anonymous class expression, individual): reported as unparsed by OWL API 3.
                            boolean found = false;
                            for (OWLClassAssertionAxiom ca : part.getClassAssertionAxioms(
                                    factory.getOWLNamedIndividual(t.getSubject().getResource()))) {
                                if (ca.getClassExpression().isAnonymous()) found = true;
                            }
                            if (found) continue;
                        }
                        if (!t.getSubject().isAnonymous() && !t.getObject().isLiteral() && !((RDFResource) t.getObject()).isAnonymous()) {
                            OWLAnnotationAssertionAxiom ax = factory.getOWLAnnotationAssertionAxiom(
                                factory.getOWLAnnotationProperty(t.getPredicate().getResource()), t.getSubject().getResource(),
                                ((RDFResource) t.getObject()).getResource());
                            if (part.containsAxiom(ax)) continue;
                            IRI id = part.getOntologyID().getOntologyIRI();
                            if (id != null && id.equals(t.getSubject().getResource()) && part.getAnnotations().contains(
                                    factory.getOWLAnnotation(ax.getProperty(), ax.getValue()))) continue;
                        }
                        out("UNPARSED", String.valueOf(t));
                    }
                    if (allDifferent > part.getAxiomCount(AxiomType.DIFFERENT_INDIVIDUALS)) {
                        out("UNPARSED", "owl:AllDifferent nodes without a DifferentIndividuals axiom");
                    }
                }
            }
            Map<String, Integer> counts = new TreeMap<String, Integer>();
            for (OWLAxiom ax : axioms) {
                String key = ax.getAxiomType().getName();
                if (ax instanceof OWLAnnotationAssertionAxiom) {
                    key += " " + ((OWLAnnotationAssertionAxiom) ax).getProperty().getIRI();
                }
                Integer n = counts.get(key);
                counts.put(key, n == null ? 1 : n + 1);
            }
            for (Map.Entry<String, Integer> e : counts.entrySet()) out("COUNT", e.getKey(), String.valueOf(e.getValue()));
            OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
            for (OWLProfileViolation v : report.getViolations()) {
                out("PROFILE", v.getClass().getSimpleName(), v.toString());
            }
            return;
        }

        OWLReasoner r = reasoner(ontology);
        boolean consistent = r.isConsistent();
        out("CONSISTENT", String.valueOf(consistent));
        if (!consistent) {
            List<OWLAxiom> why = explain(ontology, null);
            if (why != null) for (OWLAxiom ax : why) out("EXPLAIN", "http://www.w3.org/2002/07/owl#Thing", renderer.render(ax));
            out("CHECKS", String.valueOf(checks));
            return;
        }
        List<OWLClass> targets = new ArrayList<OWLClass>();
        if (args.length > 2) {
            for (int i = 2; i < args.length; i++) targets.add(factory.getOWLClass(IRI.create(args[i])));
        } else {
            for (OWLClass c : r.getUnsatisfiableClasses().getEntitiesMinusBottom()) targets.add(c);
        }
        for (OWLClass c : targets) {
            if (r.isSatisfiable(c)) continue;
            out("UNSAT", c.getIRI().toString());
            List<OWLAxiom> why = explain(ontology, c);
            if (why != null) for (OWLAxiom ax : why) out("EXPLAIN", c.getIRI().toString(), renderer.render(ax));
        }
        r.dispose();
        out("CHECKS", String.valueOf(checks));
    }
}
