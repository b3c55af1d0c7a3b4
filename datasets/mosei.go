package datasets

import "fmt"

const cmuMOSEIDoc = `cmu-mosei: CMU-MOSEI (Zadeh et al., ACL 2018), 23,453 annotated opinion
video segments from YouTube, as three precomputed feature modalities: the
usual benchmark form, a features tree with fixed modality names.
Source: the CMU Multimodal SDK (github.com/CMU-MultiComp-Lab/CMU-MultimodalSDK);
the word-aligned release of MulT (github.com/yaohungt/Multimodal-Transformer,
mosei_senti_data.pkl) is what most balanced-learning papers use. Licence:
the features belong to the dataset's authors and are not shipped; bring
your copy (root: PATH). scripts/mosei-to-features.py converts MulT's
pickle to this layout.

Layout (a features tree, see miebench describe features for the formats):
    PATH/audio.<ext>    COVAREP acoustic features, [N, 74] (time-averaged)
                        or [N, 50, 74] (50 word-aligned steps)
    PATH/visual.<ext>   FACET facial features, [N, 35] or [N, 50, 35]
    PATH/text.<ext>     GloVe word vectors, [N, 300] or [N, 50, 300] (or
                        any text encoder's embeddings, e.g. BERT [N, 768])
    PATH/labels.<ext>   class indices: with 2 classes, 0 = negative
                        (sentiment < 0), 1 = non-negative (>= 0), the Acc-2
                        convention; with 7, round(clip(sentiment, -3, 3)) + 3
    PATH/split.txt      the standard split, one line per sample
    PATH/classes.txt    e.g. "negative", "non-negative"
Standard split (MulT's release of the SDK folds): train 16,326, valid
1,871 (val here), test 4,659 segments; miebench data check prints your
counts and warns when they differ. Every feature dimension is standardised with train statistics
unless standardize: false.`

func init() {
	Register(Builder{
		Name:               "cmu-mosei",
		Doc:                cmuMOSEIDoc,
		FingerprintContent: AllFiles, // every feature file is read whole, as for features
		Params: []ParamSpec{
			{Name: "standardize", Default: true, Doc: "standardise each feature dimension with the training split's mean and std (false keeps raw values)"},
		},
		Open: func(cfg Config) (Dataset, error) {
			p, err := moseiParams(cfg)
			if err != nil {
				return nil, err
			}
			return openFeaturesAs("cmu-mosei", cfg, p)
		},
		Check: func(cfg Config) (*CheckReport, error) {
			p, err := moseiParams(cfg)
			if err != nil {
				return nil, err
			}
			rep, err := checkFeaturesWith(cfg, p)
			if err != nil {
				return nil, err
			}
			for _, split := range SplitNames {
				n := 0
				for _, c := range rep.Counts[split] {
					n += c
				}
				if n > 0 && n != moseiSplitSizes[split] {
					rep.Warnings = append(rep.Warnings, fmt.Sprintf("split %s has %d samples, the standard split %d", split, n, moseiSplitSizes[split]))
				}
			}
			return rep, nil
		},
	})
}

// moseiSplitSizes are the sizes of the standard split (MulT's release).
var moseiSplitSizes = map[string]int{"train": 16326, "val": 1871, "test": 4659}

// moseiParams are the features parameters of a cmu-mosei tree: the three
// fixed modalities, the tree's own validation split, the user's choice of
// standardisation.
func moseiParams(cfg Config) (Params, error) {
	p, err := resolve("cmu-mosei", cfg)
	if err != nil {
		return nil, err
	}
	return Params{"modalities": "audio,visual,text", "val_fraction": 0.0, "standardize": p.Bool("standardize")}, nil
}
