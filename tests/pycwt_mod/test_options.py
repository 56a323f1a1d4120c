"""The option types (`pycwt_mod.options`): defaults, validation, identity, JSON, fields."""

import dataclasses
import inspect
import json
import pickle
import warnings

import numpy as np
import pytest

import pycwt_mod as pm
from pycwt_mod import options as O
from pycwt_mod.options import (
    Areawise,
    MonteCarlo,
    Preprocessing,
    ScaleGrid,
    Spectrum,
    SurrogateFamily,
    from_dict,
    option_fields,
    renamed_keywords,
    to_dict,
)

TYPES = (ScaleGrid, Preprocessing, MonteCarlo, Areawise, Spectrum)

DEFAULTS = {
    ScaleGrid: dict(dt=None, dj=1 / 12, s0=-1.0, J=-1, wavelet="morlet"),
    Preprocessing: dict(anomalies=None, detrend="none", normalize=True, gaps="raise", fill="mean"),
    MonteCarlo: dict(
        significance_level=0.95,
        mc_count=300,
        seed=None,
        surrogate="ar1",
        al1=None,
        al2=None,
        backend=None,
        chunk_size=None,
        cache=True,
    ),
    Areawise: dict(area_level=0.95, area_measure="maraun", area_test="areawise"),
    Spectrum: dict(rectify=False),
}

#: One instance of each type with every field away from its default.
OTHERS = {
    ScaleGrid: ScaleGrid(dt=0.5, dj=0.25, s0=2.0, J=20, wavelet="paul"),
    Preprocessing: Preprocessing(
        anomalies=12, detrend="linear", normalize=False, gaps="mask", fill="linear"
    ),
    MonteCarlo: MonteCarlo(
        significance_level=0.9,
        mc_count=50,
        seed=7,
        surrogate="phase",
        al1=0.5,
        al2=-0.2,
        backend="joblib",
        chunk_size=10,
        cache=False,
    ),
    Areawise: Areawise(area_level=0.9, area_measure="schulte", area_test="cumulative"),
    Spectrum: Spectrum(rectify=True),
}


class TestDefaults:
    @pytest.mark.parametrize("cls", TYPES)
    def test_defaults(self, cls):
        got = to_dict(cls())
        assert got == DEFAULTS[cls]
        assert [f.name for f in dataclasses.fields(cls)] == list(DEFAULTS[cls])

    def test_surrogate_family_object(self):
        fam = MonteCarlo().surrogate
        assert isinstance(fam, SurrogateFamily) and fam.name == "ar1" and str(fam) == "ar1"
        assert fam.fits_red_noise and not fam.needs_data
        for name in ("phase", "iaaft"):
            fam = MonteCarlo(surrogate=name).surrogate
            assert fam.needs_data and not fam.fits_red_noise
        assert MonteCarlo(surrogate=O.SURROGATE_FAMILIES["iaaft"]) == MonteCarlo(surrogate="iaaft")

    def test_values_are_normalised(self):
        g = ScaleGrid(dt=1, dj=1, s0=None, J=None)
        assert (type(g.dt), type(g.dj), g.s0, g.J) == (float, float, -1.0, -1)
        assert Preprocessing(anomalies=np.int64(4), normalize=np.bool_(False)).anomalies == 4
        assert type(Preprocessing(normalize=np.bool_(False)).normalize) is bool
        assert type(MonteCarlo(mc_count=np.int32(5)).mc_count) is int
        assert MonteCarlo().with_seed(3).seed == 3 and ScaleGrid().with_dt(2.0).dt == 2.0


class TestValidation:
    @pytest.mark.parametrize(
        ("cls", "kwargs", "match"),
        [
            (ScaleGrid, dict(dt=0), r"`dt` must be > 0"),
            (ScaleGrid, dict(dj=-1), r"`dj` must be > 0"),
            (ScaleGrid, dict(s0=0), r"`s0` must be > 0, or -1"),
            (ScaleGrid, dict(s0=float("nan")), r"`s0` must be a finite number"),
            (ScaleGrid, dict(J=-2), r"`J` must be a whole number >= 0, or -1"),
            (ScaleGrid, dict(J=2.5), r"`J` must be a whole number"),
            (ScaleGrid, dict(wavelet="haar"), r"wavelet 'haar'"),
            (Preprocessing, dict(anomalies=1), r"`anomalies` must be the samples per seasonal"),
            (Preprocessing, dict(anomalies="monthly"), r"`anomalies` must be"),
            (Preprocessing, dict(anomalies=True), r"`anomalies` must be"),
            (Preprocessing, dict(detrend="cubic"), r"`detrend` must be one of 'none', 'linear'"),
            (Preprocessing, dict(normalize="yes"), r"`normalize` must be true or false"),
            (Preprocessing, dict(gaps="drop"), r"`gaps` must be one of 'raise', 'mask'"),
            (Preprocessing, dict(fill="zero"), r"`fill` must be one of 'mean', 'linear'"),
            (MonteCarlo, dict(significance_level=1.5), r"`significance_level` must be in \(0, 1\)"),
            (MonteCarlo, dict(mc_count=0), r"`mc_count` must be a whole number >= 1"),
            (MonteCarlo, dict(mc_count=True), r"`mc_count` must be a whole number"),
            (MonteCarlo, dict(seed=-1), r"`seed` must be a whole number >= 0"),
            (MonteCarlo, dict(surrogate="white"), r"`surrogate` must be one of 'ar1', 'phase'"),
            (MonteCarlo, dict(al1=1.0), r"`al1` must be in \(-1, 1\)"),
            (MonteCarlo, dict(al2="x"), r"`al2` must be a finite number"),
            (MonteCarlo, dict(chunk_size=0), r"`chunk_size` must be a whole number >= 1"),
            (MonteCarlo, dict(backend=3), r"`backend` must be a backend name"),
            (MonteCarlo, dict(cache="no"), r"`cache` must be true or false"),
            (Areawise, dict(area_level=0), r"`area_level` must be in \(0, 1\)"),
            (Areawise, dict(area_level=None), r"`area_level` must be in \(0, 1\)"),
            (Areawise, dict(area_measure="area"), r"`area_measure` must be one of 'maraun'"),
            (Areawise, dict(area_test="x"), r"`area_test` must be one of 'areawise', 'cumulative'"),
            (Spectrum, dict(rectify="yes"), r"`rectify` must be true or false"),
        ],
    )
    def test_message_names_the_field(self, cls, kwargs, match):
        with pytest.raises(ValueError, match=match):
            cls(**kwargs)

    def test_frozen(self):
        for cls in TYPES:
            with pytest.raises(dataclasses.FrozenInstanceError):
                cls().x = 1


class TestScaleGridResolve:
    def test_the_library_grid(self):
        x = pm.rednoise(300, 0.5, rng=1)
        rg = ScaleGrid(dt=0.5, dj=0.25).resolve(x.size)
        _, sj, *_ = pm.cwt(x, 0.5, 0.25)
        np.testing.assert_array_equal(rg.scales, sj)
        assert (rg.n_scales, rg.J, rg.s0) == (sj.size, sj.size - 1, sj[0])
        assert rg.mother.name == "Morlet"
        assert ScaleGrid(dj=0.25).resolve(300, dt=0.5) == rg

    @pytest.mark.parametrize(
        ("grid", "match"),
        [
            (ScaleGrid(), r"`dt` is needed"),
            (ScaleGrid(dt=1.0, s0=100.0), r"s0=100.0 is larger than the series"),
            (ScaleGrid(dt=1.0, J=10**6), r"asks for 1000001 scales, more than the limit"),
            (ScaleGrid(dt=1.0, dj=4, s0=1e300, J=10), r"largest scale .* overflows"),
        ],
    )
    def test_errors(self, grid, match):
        with pytest.raises(ValueError, match=match):
            grid.resolve(10)


class TestIdentity:
    @pytest.mark.parametrize("cls", TYPES)
    def test_hash_pickle_equality(self, cls):
        a, b, other = cls(), cls(), OTHERS[cls]
        assert a == b and hash(a) == hash(b)
        assert a != other
        assert pickle.loads(pickle.dumps(other)) == other
        assert hash(pickle.loads(pickle.dumps(other))) == hash(other)
        assert len({a, b, other}) == 2
        for f in dataclasses.fields(cls):  # each field takes part
            assert dataclasses.replace(a, **{f.name: getattr(other, f.name)}) != a, f.name


class TestJson:
    @pytest.mark.parametrize("cls", TYPES)
    def test_round_trip(self, cls):
        for obj in (cls(), OTHERS[cls]):
            data = json.loads(json.dumps(to_dict(obj)))
            assert from_dict(cls, data) == obj

    def test_family_by_name_and_unknown_keys(self):
        assert to_dict(MonteCarlo(surrogate="iaaft"))["surrogate"] == "iaaft"
        assert from_dict(Areawise, {"area_level": 0.9, "job_id": "x"}) == Areawise(area_level=0.9)

    def test_wavelet_instance_is_not_json(self):
        with pytest.raises(TypeError, match="`wavelet` must be a wavelet name"):
            to_dict(ScaleGrid(wavelet=pm.Morlet(6)))

    def test_bad_value_fails_on_the_way_back(self):
        with pytest.raises(ValueError, match="`mc_count`"):
            from_dict(MonteCarlo, {"mc_count": -3})


class TestOptionFields:
    @pytest.mark.parametrize("cls", TYPES)
    def test_names_defaults_docs(self, cls):
        fields = option_fields(cls)
        assert [f.name for f in fields] == list(DEFAULTS[cls])
        for f in fields:
            default = f.default.name if isinstance(f.default, SurrogateFamily) else f.default
            assert default == DEFAULTS[cls][f.name]
            assert f.doc and f.annotation

    def test_choices_and_bounds(self):
        by = {f.name: f for cls in TYPES for f in option_fields(cls)}
        assert by["detrend"].choices == O.DETREND_METHODS == ("none", "linear")
        assert by["gaps"].choices == O.GAP_POLICIES and by["fill"].choices == O.GAP_FILLS
        assert by["area_measure"].choices == O.AREA_MEASURES == ("maraun", "schulte")
        assert by["area_test"].choices == O.AREA_TESTS == ("areawise", "cumulative")
        assert by["surrogate"].choices == tuple(O.SURROGATE_FAMILIES) == ("ar1", "phase", "iaaft")
        assert by["wavelet"].choices == tuple(pm.WAVELETS)
        assert by["dj"].bounds == {"gt": 0, "le": 4}
        assert by["significance_level"].bounds == by["area_level"].bounds == {"gt": 0, "lt": 1}
        assert by["mc_count"].bounds == {"ge": 1} and by["normalize"].choices is None

    def test_each_choice_is_accepted(self):
        for cls in TYPES:
            for f in option_fields(cls):
                for choice in f.choices or ():
                    assert to_dict(cls(**{f.name: choice}))[f.name] == choice


class TestRenamedKeywords:
    @staticmethod
    @renamed_keywords(level="significance_level")
    def f(x, *, significance_level=0.95):
        """Doc."""
        return x, significance_level

    def test_old_name_warns(self):
        with pytest.warns(DeprecationWarning, match="`level` is deprecated.*`significance_level`"):
            assert self.f(1, level=0.9) == (1, 0.9)

    def test_new_name_is_silent_and_the_signature_is_the_new_one(self):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert self.f(1, significance_level=0.8) == (1, 0.8)
        assert list(inspect.signature(self.f).parameters) == ["x", "significance_level"]
        assert self.f.__doc__ == "Doc." and self.f.__name__ == "f"

    def test_both_names(self):
        with pytest.raises(TypeError, match="both `level` and its new name"):
            self.f(1, level=0.9, significance_level=0.9)
